import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AgentResult, Sandbox, Seat, SeatOutcome, SettingPair, Task } from '@cooperbench/spec'
import { emptyAgentResult, silentLogger } from '@cooperbench/spec-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sequentialSetting, sequentialSettingRegistration } from '../src/index.js'

/** A new file's section of a git diff. */
const added = (path: string) => `diff --git a/${path} b/${path}\nnew file mode 100644\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+${path}\n`

/** How a fake agent of one feature ends: its run's result, and the exit code of each check the harness runs after it. */
interface Play {
  result?: AgentResult
  checks?: Record<string, number>
  /** It leaves no check of its own. */
  noCheck?: boolean
  /** It rewrites what feature 1's agent added. */
  rewrite?: boolean
  /** Its sandbox fails the guard's command. */
  guardFails?: boolean
}

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cb-sequential-'))
  for (const id of [1, 2, 3]) {
    await mkdir(join(root, `feature${id}`))
    await writeFile(join(root, `feature${id}`, 'tests.patch'), added(`tests/test_f${id}.py`))
  }
})
afterAll(() => rm(root, { recursive: true, force: true }))

/**
 * A pair whose seats are fake agents: each one's patch is the work it started from plus its own
 * file and check; `Seat.after` runs against a sandbox that answers the guard's script with the
 * play's check results. Records what the setting asked of the harness.
 */
function pairOf(features: number[], plays: Record<number, Play> = {}) {
  const runs: Array<{ seat: Seat; phase: string | undefined; after: unknown }> = []
  const files = new Map<string, unknown>()
  const pair = {
    task: { repo: 'demo_task', taskId: 1, features: [1, 2, 3].map((id) => ({ id, dir: join(root, `feature${id}`) })) } as unknown as Task,
    features,
    runId: 'abcd1234',
    options: {},
    run: { messaging: true, git: false, features: features.length },
    bus: null,
    backend: { name: 'local', capabilities: {} },
    logger: silentLogger,
    signal: new AbortController().signal,
    featureText: async (id: number) => `The spec of feature ${id}.`,
    runSeats: async (seats: readonly Seat[], phase?: string): Promise<SeatOutcome[]> =>
      Promise.all(
        seats.map(async (seat) => {
          const id = seat.featureIds[0]!
          const play = plays[id] ?? {}
          const result = play.result ?? emptyAgentResult('Submitted')
          const infra = result.failure === 'infra'
          const own = `${added(`src/f${id}.py`)}${play.noCheck ? '' : added(`.cb_checks/f${id}.sh`)}`
          const earlier = seat.startFrom?.patch ?? ''
          const patch = infra ? '' : `${play.rewrite ? earlier.replace('+src/f1.py\n', '+rewritten\n') : earlier}${own}`
          const checkLines = Object.entries(play.checks ?? {}).map(([name, code]) => `check .cb_checks/${name}.sh ${code}`)
          const exec = async () => {
            if (play.guardFails) throw new Error('the sandbox is gone')
            return { exitCode: 0, stdout: checkLines.join('\n'), stderr: '' }
          }
          const sandbox = { exec }
          const record = { status: result.status, patch_lines: patch.split('\n').length - 1 }
          const outcome = { agentId: seat.agentId, featureIds: seat.featureIds, result, patch, patchSource: 'harness_diff', record } as SeatOutcome
          const after = infra ? undefined : await seat.after?.(sandbox as unknown as Sandbox, outcome, new AbortController().signal)
          runs.push({ seat, phase, after })
          return { ...outcome, after }
        }),
      ),
    writeFile: async (name: string, content: unknown) => void files.set(name, content),
  } as unknown as SettingPair
  return { pair, runs, files }
}

const on = { guard: true, order: 'ascending', hiddenTests: false } as const

describe('the sequential setting', () => {
  it('runs one agent at a time, in feature order, each phase named after its feature and started from the previous patch', async () => {
    const { pair, runs } = pairOf([2, 3], { 2: { checks: { f2: 0 } }, 3: { checks: { f2: 0, f3: 0 } } })
    await sequentialSetting(on).run(pair)
    expect(runs.map((r) => [r.phase, r.seat.agentId, r.seat.featureIds, r.seat.files.patch])).toEqual([
      ['feature 2', 'agent1', [2], 'agent2.patch'],
      ['feature 3', 'agent2', [3], 'agent3.patch'],
    ])
    expect(runs[0]!.seat.startFrom).toBeUndefined()
    expect(runs[1]!.seat.startFrom).toEqual({ agent: 'agent1', patch: `${added('src/f2.py')}${added('.cb_checks/f2.sh')}` })
  })

  it('tells each agent where it stands, the checks to keep (with their state at hand-off) and the one to leave', async () => {
    const { pair, runs } = pairOf([1, 2, 3], { 1: { checks: { f1: 0 } }, 2: { checks: { f1: 0, f2: 1 } } })
    await sequentialSetting(on).run(pair)
    const [first, second, third] = runs.map((r) => r.seat.instructions)
    expect(first).toMatch(/^The spec of feature 1\.\n\n## Working in turn\n\nYou are agent1 of 3/)
    expect(first).toContain('handed over the same way to agent2.')
    expect(first).not.toContain('## Checks to keep passing')
    expect(first).toContain('write `.cb_checks/f1.sh`')
    expect(second).toContain('agent1 handed its work over to you: it is committed in this repository')
    expect(second).toContain('- `bash .cb_checks/f1.sh` (passed when handed over)')
    expect(third).toContain('- `bash .cb_checks/f1.sh` (passed when handed over)\n- `bash .cb_checks/f2.sh` (failed when handed over)')
    expect(third).toContain('You are the last: your work is judged against every feature.')
    expect(third).not.toContain('later agents must keep yours passing')
    for (const text of [first, second, third]) expect(text).not.toContain("## The grader's tests")
  })

  it('records per hand-off the checks handed over, kept and broken, and judges the last patch without .cb_checks/', async () => {
    const plays = { 1: { checks: { f1: 0 } }, 2: { checks: { f1: 1, f2: 0 }, rewrite: true } }
    const { pair, files } = pairOf([1, 2], plays)
    const setting = sequentialSetting(on)
    const outcome = await setting.run(pair)
    const judged = `${added('src/f1.py').replace('+src/f1.py\n', '+rewritten\n')}${added('src/f2.py')}`
    expect(files.get('sequential.patch')).toBe(judged)
    expect(outcome.record).toMatchObject({
      agents: { agent1: { feature_id: 1, status: 'Submitted' }, agent2: { feature_id: 2, status: 'Submitted' } },
      handoffs: [{ from: 'agent1', to: 'agent2', handed: ['f1'], kept: [], broke: ['f1'], earlier_files_changed: ['src/f1.py'] }],
      final: { agent: 'agent2', patch: 'sequential.patch', patch_lines: 12, checks: { f1: 'failed', f2: 'passed' } },
    })
    expect(outcome).toMatchObject({ messaging: false, git: false, recordTail: { sequential: { guard: true, order: 'ascending', hidden_tests: false } } })
    const rule = setting.judged([1, 2])
    expect(rule).toMatchObject({ rule: 'single', patch: { file: 'sequential.patch' } })
    if (rule.rule === 'single') expect(rule.patch.recordedLines(outcome.record)).toBe(12)
  })

  it('a check that is missing after the next agent counts as broken', async () => {
    const { pair } = pairOf([1, 2], { 1: { checks: { f1: 0 } }, 2: { checks: { f2: 0 } } })
    const outcome = await sequentialSetting(on).run(pair)
    expect(outcome.record['handoffs']).toEqual([{ from: 'agent1', to: 'agent2', handed: ['f1'], kept: [], broke: ['f1'], earlier_files_changed: [] }])
  })

  it('checks that could not be run are recorded as such, neither kept nor broken, and the pair goes on', async () => {
    const { pair, runs } = pairOf([1, 2, 3], { 1: { checks: { f1: 0 } }, 2: { guardFails: true }, 3: { checks: { f1: 0, f3: 0 } } })
    const outcome = await sequentialSetting(on).run(pair)
    expect(outcome.record['handoffs']).toMatchObject([
      { from: 'agent1', to: 'agent2', handed: ['f1'], kept: [], broke: [], guard_error: 'the sandbox is gone' },
      { from: 'agent2', to: 'agent3', handed: [], kept: [], broke: [] },
    ])
    expect(runs[2]!.seat.instructions).toContain('- `bash .cb_checks/f1.sh` (not run when handed over)')
    expect(runs[2]!.seat.startFrom?.agent).toBe('agent2')
  })

  it("a seat the harness failed hands on nothing: the next agent starts from the work before it, and the final patch is the last agent's", async () => {
    const infra = { ...emptyAgentResult('Error', 'the sandbox could not be created'), failure: 'infra' as const }
    const { pair, runs, files } = pairOf([1, 2, 3], { 1: { checks: { f1: 0 } }, 2: { result: infra } })
    const outcome = await sequentialSetting(on).run(pair)
    expect(runs[2]!.seat.startFrom?.agent).toBe('agent1')
    expect(runs[2]!.seat.instructions).toContain('agent1 handed its work over to you')
    expect(outcome.record['handoffs']).toMatchObject([
      { from: 'agent1', to: 'agent2', handed: ['f1'], kept: [], broke: [], guard_error: 'no checks were run after agent2' },
      { from: 'agent1', to: 'agent3', handed: ['f1'] },
    ])
    expect(files.get('sequential.patch')).toBe(`${added('src/f1.py')}${added('src/f3.py')}`)
    expect(outcome.record['final']).toMatchObject({ agent: 'agent3' })
  })

  it('descending, without the guard, with hidden tests: the highest feature first, no checks asked for, the earlier tests.patch shown', async () => {
    const options = { guard: false, order: 'descending', hiddenTests: true } as const
    const { pair, runs } = pairOf([1, 3], { 3: { noCheck: true }, 1: { noCheck: true } })
    const setting = sequentialSetting(options)
    const outcome = await setting.run(pair)
    expect(runs.map((r) => [r.seat.agentId, r.seat.featureIds[0]])).toEqual([
      ['agent1', 3],
      ['agent2', 1],
    ])
    for (const { seat } of runs) expect(seat.instructions).not.toContain('.cb_checks')
    expect(runs[0]!.seat.instructions).not.toContain("## The grader's tests")
    expect(runs[1]!.seat.instructions).toContain(`## The grader's tests of the earlier features`)
    expect(runs[1]!.seat.instructions).toContain(`### Feature 3\n\n\`\`\`diff\n${added('tests/test_f3.py').trimEnd()}\n\`\`\``)
    expect(runs[1]!.seat.instructions).not.toContain('test_f1.py')
    expect(outcome.record['handoffs']).toEqual([{ from: 'agent1', to: 'agent2', handed: [], kept: [], broke: [], earlier_files_changed: [] }])
    expect(setting.shape({ messaging: true, git: false, features: 2 })).toMatchObject({
      peers: false,
      messaging: false,
      git: false,
      nameParts: ['no-guard', 'descending', 'hidden-tests'],
      record: { sequential: { guard: false, order: 'descending', hidden_tests: true } },
    })
    expect(setting.shape({ messaging: true, git: false, features: 3 }).agents(3)).toBe(3)
  })

  it("its registration declares the options once, with defaults the report's protocol: the guard on, ascending, no hidden tests", async () => {
    expect(sequentialSettingRegistration.optionsSchema.properties).toMatchObject({
      guard: { default: true },
      order: { default: 'ascending', enum: ['ascending', 'descending'] },
      hiddenTests: { default: false },
    })
    const made = sequentialSettingRegistration.create({ options: {} } as never)
    expect(made.shape({ messaging: true, git: false, features: 2 })).toMatchObject({
      nameParts: [],
      record: { sequential: { guard: true, order: 'ascending', hidden_tests: false } },
    })
  })

  it("refuses before any pair an agent on upstream's protocol: its own submission is written against the work it was handed, not the base", () => {
    const setting = sequentialSetting({ guard: true, order: 'ascending', hiddenTests: false })
    const run = (promptSource: string) => ({
      backend: { name: 'local', capabilities: {} },
      bus: null,
      policy: 'cooperbench-0.0.16',
      agents: [{ role: null, name: 'swe_agent', model: 'openai/m', promptSource, collaborates: true }],
      optionSource: (key: string) => key,
    })
    expect(() => setting.preflight!(run('reference-config:sha256:ab') as never)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/cannot seat swe_agent with upstream's protocol \(reference-config\)/),
      }),
    )
    expect(() => setting.preflight!(run('cooperbench-v1') as never)).not.toThrow()
  })
})
