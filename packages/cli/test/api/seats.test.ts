/**
 * What a setting can do with seats, through `run()` on the real local backend: tools answered on the
 * host as the seat's agent, a seat started from a tool's handler while the manager runs, a seat kept
 * and carried into a later phase (the same sandbox; `ctx.previous` for an agent that continues, a
 * fresh start otherwise), the host's events, `after` with the outcome, a pair service made once, and
 * a seat role on its own model, as records say.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AgentRunContext, CommandTool, PluginDefinition, Registration, RunningSeat, Seat, SeatOutcome, Setting } from '@cooperbench/core'
import { emptyAgentResult } from '@cooperbench/spec-utils'
import { pairService } from '@cooperbench/spec'
import { run } from '../../dist/index.js'
import { DEMO_DATASET, requireLocalBackend } from '../e2e/helpers.js'

let work: string
let savedDataDir: string | undefined

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cb-seats-'))
  savedDataDir = process.env.COOPERBENCH_DATA_DIR
  process.env.COOPERBENCH_DATA_DIR = join(work, 'data')
})

afterAll(async () => {
  if (savedDataDir === undefined) delete process.env.COOPERBENCH_DATA_DIR
  else process.env.COOPERBENCH_DATA_DIR = savedDataDir
  await rm(work, { recursive: true, force: true })
})

/** What each agent run saw, in the order runs started. */
interface Seen {
  agentId: string
  model: string
  instructions: string
  previous: number | null
  outputs: string[]
  tools: string[]
  briefing: string[]
}

const seen: Seen[] = []
const events: string[] = []
let servicesMade = 0

/** Runs the commands its instructions list (one a line), then submits: the trajectory is the outputs. */
function probeAgent(name: string): Omit<Registration<'agent'>, 'kind'> {
  return {
    name,
    specificationVersion: 'agent-v1',
    ...(name === 'probe-continues' ? { continues: true as const } : {}),
    create: () => ({
      specificationVersion: 'agent-v1',
      name,
      async run(ctx: AgentRunContext) {
        const outputs: string[] = []
        for (const command of ctx.instructions.split('\n').filter(Boolean)) {
          const done = await ctx.sandbox.exec(command, { timeoutMs: 60_000, signal: ctx.signal })
          outputs.push(`${done.exitCode}:${(done.stdout + done.stderr).trim()}`)
        }
        seen.push({
          agentId: ctx.agentId,
          model: ctx.model,
          instructions: ctx.instructions,
          previous: ctx.previous ? ctx.previous.messages.length : null,
          outputs,
          tools: ctx.coordination.tools.map((tool) => tool.name),
          briefing: ctx.coordination.briefing.sections.map((section) => section.title),
        })
        return { ...emptyAgentResult('Submitted'), messages: outputs.map((content) => ({ role: 'tool', content })) }
      },
    }),
  }
}

const counter = pairService({
  id: 'test.counter',
  create: () => {
    servicesMade += 1
    return { made: servicesMade }
  },
})

/** A manager that delegates a worker through a tool, is carried into integration, and is judged alone. */
const probeSetting: Setting = {
  specificationVersion: 'setting-v1',
  name: 'seats-probe',
  shape: () => ({ peers: true, agents: () => 3, roles: ['manager', 'worker'], messaging: false, git: false }),
  async run(pair) {
    const workers: RunningSeat[] = []
    const delegate: CommandTool = {
      kind: 'command',
      name: 'delegate',
      description: 'Starts a worker on a task.',
      async run(argv) {
        const worker: Seat = {
          agentId: `worker${workers.length + 1}`,
          role: 'worker',
          featureIds: [pair.features[0]!],
          instructions: `echo "${argv.join(' ')}" > worker.txt\necho $PROBE_ROLE`,
          files: { trajectory: `worker${workers.length + 1}_traj.json`, patch: `worker${workers.length + 1}.patch`, worktreePatch: 'w.worktree.patch' },
          coordination: { env: { PROBE_ROLE: 'worker' } },
        }
        const started = pair.startSeat(worker, 'work')
        workers.push(started)
        // The worker ends before the manager's phase does: its phase is still recorded after the
        // one it was started in, the order the phases began.
        await started.outcome
        return { exitCode: 0, output: `started ${worker.agentId}\n` }
      },
    }
    const first = await pair.service(counter)
    const manager = pair.startSeat(
      {
        agentId: 'manager',
        role: 'manager',
        featureIds: [...pair.features],
        instructions: 'delegate "the first feature"\necho planned > plan.md\necho $PROBE_ROLE',
        files: { trajectory: 'manager_plan_traj.json', patch: 'manager_plan.patch', worktreePatch: 'm.worktree.patch' },
        keep: true,
        coordination: {
          tools: [delegate],
          env: { PROBE_ROLE: 'manager' },
          briefing: { sections: [{ title: 'Managing', body: 'Delegate with `delegate`.' }], upstream: null },
        },
        events: {
          started: ({ agentId }) => void events.push(`started ${agentId}`),
          submitted: (outcome) => void events.push(`submitted ${outcome.agentId}`),
        },
        after: async (_sandbox, outcome: SeatOutcome) => `after ${outcome.agentId} ${outcome.result.status}`,
      },
      'plan',
    )
    const planned = await manager.outcome
    const done = await Promise.all(workers.map((worker) => worker.outcome))
    const integrated = await manager.continue(
      {
        instructions: 'cat plan.md\ncat worker.txt || echo no-worker-file',
        files: { trajectory: 'manager_traj.json', patch: 'manager.patch', worktreePatch: 'x' },
      },
      'integrate',
    ).outcome
    const again = await pair.service(counter)
    await pair.writeFile('probe.json', { planned: planned.after, workers: done.map((w) => w.agentId), same: first === again })
    return { record: { agent: integrated.record, total_cost: 0, total_steps: 0 }, messaging: false, git: false }
  },
  judged: () => ({ rule: 'single', patch: { file: 'manager.patch', owner: 'the manager', recordedLines: () => null } }),
}

const probePlugin: PluginDefinition = {
  name: 'seats-probe-plugin',
  version: '1.0.0',
  register(api) {
    api.agent(probeAgent('probe'))
    api.agent(probeAgent('probe-continues'))
    api.setting({ name: 'seats-probe', specificationVersion: 'setting-v1', create: () => probeSetting })
  },
}

describe('seats that grow up', () => {
  it('a tool starts a seat at run time, a kept seat continues in its sandbox, events and after see the outcome, a role runs its own model', async (context) => {
    requireLocalBackend(context)
    const ran = await run({
      cwd: work,
      datasetDir: DEMO_DATASET,
      logDir: join(work, 'logs'),
      repo: 'confkit_task',
      taskId: 0,
      features: [1, 2],
      agent: 'probe-continues',
      modelName: 'openai/strong',
      setting: 'seats-probe',
      seats: { worker: { agent: 'probe', model: 'openai/cheap' } },
      backend: 'local',
      autoEval: false,
      runName: 'seats',
      plugins: [probePlugin],
    })
    expect(ran.pairs).toHaveLength(1)
    const dir = join(work, 'logs', 'seats', 'seats-probe', 'confkit_task', '0', 'f1_f2')
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'))
    const probe = JSON.parse(await readFile(join(dir, 'probe.json'), 'utf8'))

    // The manager's tool ran on the host as the manager and started the worker while the manager ran.
    const manager = seen.find((s) => s.agentId === 'manager' && s.previous === null)!
    expect(manager.tools).toEqual(['delegate'])
    expect(manager.briefing).toEqual(['Managing'])
    expect(manager.outputs).toEqual(['0:started worker1', '0:', '0:manager'])
    expect(probe).toEqual({ planned: 'after manager Submitted', workers: ['worker1'], same: true })
    expect(servicesMade).toBe(1)

    // The worker is its role's agent on its role's model, with its own variables; the manager the run's.
    const worker = seen.find((s) => s.agentId === 'worker1')!
    expect(worker).toMatchObject({ model: 'openai/cheap', outputs: ['0:', '0:worker'] })
    expect(manager.model).toBe('openai/strong')

    // Carried into integration: the same sandbox (plan.md is there; the worker's is not), its conversation continued.
    const integrating = seen.find((s) => s.agentId === 'manager' && s.previous !== null)!
    expect(integrating.previous).toBe(3)
    expect(integrating.outputs).toEqual(['0:planned', expect.stringMatching(/no-worker-file/)])
    // A continuation keeps what it does not change of its seat, its events too.
    expect(events).toEqual(['started manager', 'submitted manager', 'started manager', 'submitted manager'])

    // Records: the phases in order, each seat's own agent and model where its role names them, the carried seat continued.
    expect(result.phases.map((p: { name: string; seats: Array<{ agent_id: string }> }) => [p.name, p.seats.map((s) => s.agent_id)])).toEqual([
      ['plan', ['manager']],
      ['work', ['worker1']],
      ['integrate', ['manager']],
    ])
    expect(result.phases[1].seats[0]).toMatchObject({ role: 'worker', agent_framework: 'probe', model: 'openai/cheap' })
    expect(result.phases[2].seats[0]).toMatchObject({ role: 'manager', continued: true, trajectory: 'manager_traj.json' })
    expect(result.phases[0].seats[0]).not.toHaveProperty('agent_framework')
    const config = JSON.parse(await readFile(join(work, 'logs', 'seats', 'config.json'), 'utf8'))
    expect(config.fingerprint.seats).toEqual({ worker: { agent: 'probe', model: 'openai/cheap', prompt_profile: 'cooperbench-v1' } })
    expect(ran.runName).toBe('seats')
  })

  it('an agent that does not continue starts afresh in the kept sandbox, and the phase says so', async (context) => {
    requireLocalBackend(context)
    seen.length = 0
    await run({
      cwd: work,
      datasetDir: DEMO_DATASET,
      logDir: join(work, 'logs'),
      repo: 'confkit_task',
      taskId: 0,
      features: [1, 2],
      agent: 'probe',
      setting: 'seats-probe',
      backend: 'local',
      autoEval: false,
      runName: 'seats-fresh',
      plugins: [probePlugin],
    })
    const integrating = seen.filter((s) => s.agentId === 'manager')[1]!
    expect(integrating).toMatchObject({ previous: null, outputs: ['0:planned', expect.stringMatching(/no-worker-file/)] })
    const dir = join(work, 'logs', 'seats-fresh', 'seats-probe', 'confkit_task', '0', 'f1_f2')
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'))
    expect(result.phases[2].seats[0]).toMatchObject({ agent_id: 'manager', continued: false })
  })
})
