import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { appendFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ExitCode } from '@cooperbench/core'
import { describe, expect, it } from 'vitest'
import { errorTurn, finalTurn, startScriptedLlmServer, textTurn, toolCall } from '@cooperbench/testkit/llm-server'
import {
  DEMO_DATASET,
  describeResult,
  expectNothingLeft,
  makeWorkdir,
  pairDirs,
  readJson,
  REPO_ROOT,
  requireLocalBackend,
  runCli,
  startCli,
  type Workdir,
} from './helpers.js'

/**
 * Plugins that misbehave on purpose (testkit's fault injection), through the CLI on the local
 * backend: the harness, not the plugin, decides when a pair ends. Every case must end within its
 * deadline plus the grace period, write its results, and leave no sandbox.
 */
const FAULTS = pathToFileURL(join(REPO_ROOT, 'packages', 'testkit', 'dist', 'faults', 'index.js')).href
const PAIR = ['--dataset-dir', DEMO_DATASET, '-r', 'textkit_task', '-t', '7', '-f', '1,2', '-n', 'faults']

async function faultsWorkdir(prefix: string, options: Record<string, unknown> = {}): Promise<Workdir> {
  // Removed after the file, not after each test: the cases run concurrently.
  const w = await makeWorkdir(prefix, 'file')
  await writeFile(
    join(w.cwd, 'faults.mjs'),
    `import { faultsPlugin } from ${JSON.stringify(FAULTS)}\nexport default faultsPlugin(${JSON.stringify(options)})\n`,
  )
  await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: ['./faults.mjs'] }))
  return w
}

describe("loading the faults plugin as testkit's documentation says", () => {
  it("by name in a config file's plugins, and through a module of its own that passes options", async () => {
    const w = await makeWorkdir('faults-config')
    // testkit installed in the research folder, as `npm install` would link it.
    await mkdir(join(w.cwd, 'node_modules', '@cooperbench'), { recursive: true })
    await symlink(join(REPO_ROOT, 'packages', 'testkit'), join(w.cwd, 'node_modules', '@cooperbench', 'testkit'), 'dir')
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: ['@cooperbench/testkit/faults'] }))
    const byName = await runCli(['agents', 'list', '--json'], w.options())
    expect(byName.code, describeResult(byName)).toBe(0)
    expect(byName.stderr).toBe('')
    const names = (JSON.parse(byName.stdout) as Array<{ name: string; plugin: string }>)
      .filter((r) => r.plugin === '@cooperbench/testkit-faults')
      .map((r) => r.name)
    expect(names.sort()).toEqual(['fault-hang', 'fault-hang-timer', 'fault-ignore-abort', 'fault-throw'])

    await rm(join(w.cwd, 'cooperbench.config.json'))
    await writeFile(
      join(w.cwd, 'faults.ts'),
      "import { faultsPlugin } from '@cooperbench/testkit/faults'\nexport default faultsPlugin({ failSandboxCreationFor: 'agent2' })\n",
    )
    await writeFile(join(w.cwd, 'cooperbench.config.ts'), "export default { plugins: ['./faults.ts'] }\n")
    const withOptions = await runCli(['agents', 'list', '--json'], w.options())
    expect(withOptions.code, describeResult(withOptions)).toBe(0)
    expect(withOptions.stderr).toBe('')
    expect(JSON.parse(withOptions.stdout)).toContainEqual(expect.objectContaining({ name: 'fault-throw', plugin: '@cooperbench/testkit-faults' }))
  }, 180_000)
})

// Concurrently: each case waits out a deadline and a grace period in its own workdir (kept until the file ends).
describe.concurrent('misbehaving plugins cannot hang or silently end a run (local backend)', () => {
  for (const agent of ['fault-hang', 'fault-hang-timer'] as const) {
    it(`an agent that never settles (${agent}) is stopped at --agent-timeout: LimitsExceeded, evaluated, summary written, exit 0`, async (ctx) => {
      requireLocalBackend(ctx)
      const w = await faultsWorkdir(agent)
      const r = await runCli(['run', ...PAIR, '-a', agent, '--agent-timeout', '2'], w.options({ timeoutMs: 120_000 }))
      expect(r.code, describeResult(r)).toBe(0)
      // The deadline (2 s) plus the grace period (10 s), plus setup and evaluation.
      expect(r.ms).toBeLessThan(60_000)
      const [pair] = await pairDirs(w.logs, 'faults', 'coop')
      const result = await readJson(join(pair!, 'result.json'))
      for (const id of ['agent1', 'agent2']) {
        expect(result.agents[id].status, id).toBe('LimitsExceeded')
        expect(result.agents[id].error).toContain(`agent ${agent} ignored the abort`)
      }
      expect(await readJson(join(pair!, 'eval.json'))).toMatchObject({ both_passed: false })
      expect(await readJson(join(w.logs, 'faults', 'summary.json'))).toMatchObject({ interrupted: false, total_tasks: 1 })
      await expectNothingLeft(w)
    }, 150_000)
  }

  it('Ctrl+C while an agent ignores its signal and keeps a timer alive: exit 130 within the grace period, interrupted summary, no sandbox', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await faultsWorkdir('fault-interrupt')
    const cli = startCli(['run', ...PAIR, '-a', 'fault-hang-timer'], w.options({ timeoutMs: 120_000 }))
    expect(await cli.waitForStdout(/^run faults: /m, 30_000), cli.stderr()).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    const sent = Date.now()
    cli.child.kill('SIGINT')
    const r = await cli.result
    expect(r.code, describeResult(r)).toBe(ExitCode.interrupted)
    expect(Date.now() - sent).toBeLessThan(30_000)
    expect(await readJson(join(w.logs, 'faults', 'summary.json'))).toMatchObject({ interrupted: true })
    await expectNothingLeft(w)
  }, 150_000)

  it('a backend whose test-run exec never returns: --test-timeout is enforced by the harness, eval.json names the backend', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await faultsWorkdir('fault-exec', { hangExecMatching: 'runner.sh', hangExecWithTimer: true })
    const r = await runCli(['run', ...PAIR, '-a', 'oracle', '--test-timeout', '2'], w.options({ timeoutMs: 120_000 }))
    // The only pair's evaluation is an error, so no pair was judged: the run says so with exit 1.
    expect(r.code, describeResult(r)).toBe(1)
    const [pair] = await pairDirs(w.logs, 'faults', 'coop')
    const verdict = await readJson(join(pair!, 'eval.json'))
    expect(verdict.error).toMatch(/backend local: a command in sandbox \S+ did not return within 12 s \(its timeout of 2 s plus 10 s\)/)
    expect(await readJson(join(w.logs, 'faults', 'eval_summary.json'))).toMatchObject({ errors: 1 })
    await expectNothingLeft(w)
  }, 150_000)

  it('an agent that throws is recorded as Error with its message; the run goes on', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await faultsWorkdir('fault-throw')
    const r = await runCli(['run', ...PAIR, '-a', 'fault-throw'], w.options({ timeoutMs: 120_000 }))
    expect(r.code, describeResult(r)).toBe(0)
    const [pair] = await pairDirs(w.logs, 'faults', 'coop')
    const result = await readJson(join(pair!, 'result.json'))
    expect(result.agents.agent1).toMatchObject({ status: 'Error', error: 'fault-throw: this agent always throws', failure: 'agent' })
    // A pair whose agents all threw did not complete: ✗, never ✓, and counted as failed.
    const output = `${r.stdout}\n${r.stderr}`
    expect(output).toMatch(
      /✗ textkit_task\/task7 features_1_2 failed after \S+: every agent ended in Error \(agent1: fault-throw: this agent always throws; agent2: fault-throw: this agent always throws\)/,
    )
    expect(output).not.toContain('✓ textkit_task/task7')
    expect(await readJson(join(w.logs, 'faults', 'summary.json'))).toMatchObject({ completed: 0, failed: 1 })
    await expectNothingLeft(w)
  }, 150_000)

  it("an engine that cannot create agent2's sandbox is an infrastructure failure, shown apart by report and retried by a rerun", async (ctx) => {
    requireLocalBackend(ctx)
    const w = await faultsWorkdir('fault-infra', { failSandboxCreationFor: 'agent2' })
    const r = await runCli(['run', ...PAIR, '-a', 'oracle'], w.options({ timeoutMs: 120_000 }))
    // The pair is left unjudged (a verdict would judge the engine), so the run judged nothing.
    expect(r.code, describeResult(r)).toBe(ExitCode.failure)
    expect(r.stderr).toMatch(/no pair was judged \(of 1\): 1 pair\(s\) left unjudged because an agent failed for infrastructure/)
    const [pair] = await pairDirs(w.logs, 'faults', 'coop')
    expect(existsSync(join(pair!, 'eval.json'))).toBe(false)
    const result = await readJson(join(pair!, 'result.json'))
    expect(result.agents.agent1).toMatchObject({ status: 'Submitted' })
    expect(result.agents.agent1.failure).toBeUndefined()
    expect(result.agents.agent2).toMatchObject({ status: 'Error', failure: 'infra' })
    expect(result.agents.agent2.error).toContain('fault injection: the engine refused to create the agent2 sandbox')
    const report = await runCli(['report', '-n', 'faults'], w.options())
    expect(report.stdout).toContain("agents that did not submit: 1 infrastructure (rerun retries them), 0 the agent's own")
    // The engine is back: the same command reruns the pair.
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: [] }))
    const again = await runCli(['run', ...PAIR, '-a', 'oracle'], w.options({ timeoutMs: 120_000 }))
    expect(again.code, describeResult(again)).toBe(0)
    expect((await readJson(join(pair!, 'result.json'))).agents.agent2).toMatchObject({ status: 'Submitted' })
    await expectNothingLeft(w)
  }, 150_000)

  it('a bus whose connection drops when the transcript is read: the pair is an error named by the bus, no result.json, and a rerun completes it', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await faultsWorkdir('fault-bus', { failBusOperation: 'transcript' })
    const r = await runCli(['run', ...PAIR, '-a', 'oracle'], w.options({ timeoutMs: 120_000 }))
    expect(r.stderr).toContain('fault injection: the bus connection dropped during transcript')
    const [pair] = await pairDirs(w.logs, 'faults', 'coop')
    expect(existsSync(join(pair!, 'result.json'))).toBe(false)
    expect(await readJson(join(w.logs, 'faults', 'summary.json'))).toMatchObject({ interrupted: false, failed: 1 })
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: [] }))
    const again = await runCli(['run', ...PAIR, '-a', 'oracle'], w.options({ timeoutMs: 120_000 }))
    expect(again.code, describeResult(again)).toBe(0)
    expect(await readJson(join(pair!, 'result.json'))).toMatchObject({ messaging_enabled: true })
    await expectNothingLeft(w)
  }, 150_000)

  it('a model server that hangs, then answers 500s: every agent is an infrastructure failure within its call timeouts; once it answers, a rerun retries them', async (ctx) => {
    requireLocalBackend(ctx)
    let mode: 'hang' | 'error' | 'answer' = 'hang'
    const server = await startScriptedLlmServer({
      script: () => (mode === 'hang' ? textTurn('too late', { delayMs: 120_000 }) : mode === 'error' ? errorTurn(500) : finalTurn()),
    })
    try {
      const w = await makeWorkdir('fault-model', 'file')
      await writeFile(join(w.cwd, 'agent.json'), JSON.stringify({ model: { timeout_seconds: 1, max_retries: 1 } }))
      const args = ['run', ...PAIR, '-a', 'mini_swe_agent', '-m', 'openai/scripted-model', '--model-base-url', server.url, '--agent-config', 'agent.json']
      const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
      for (const current of ['hang', 'error'] as const) {
        mode = current
        const r = await runCli([...args, ...(current === 'error' ? ['--force'] : [])], w.options({ env, timeoutMs: 120_000 }))
        // Both agents of the only pair hit the same infrastructure error: the breaker stops the run.
        expect(r.code, describeResult(r)).toBe(ExitCode.backend)
        expect(r.stderr).toContain('run stopped: 2 agents in a row failed with the same infrastructure error')
        const [dir] = await pairDirs(w.logs, 'faults', 'coop')
        const result = await readJson(join(dir!, 'result.json'))
        for (const id of ['agent1', 'agent2']) expect(result.agents[id], `${current} ${id}`).toMatchObject({ status: 'Error', failure: 'infra' })
        expect(result.agents.agent1.error, current).toMatch(current === 'hang' ? /no response within 1000 ms/ : /500|server/i)
      }
      const report = await runCli(['report', '-n', 'faults'], w.options())
      expect(report.stdout).toContain('agents that did not submit: 2 infrastructure (rerun retries them)')
      mode = 'answer'
      const again = await runCli(args, w.options({ env, timeoutMs: 120_000 }))
      expect(again.code, describeResult(again)).toBe(0)
      const [dir] = await pairDirs(w.logs, 'faults', 'coop')
      const result = await readJson(join(dir!, 'result.json'))
      for (const id of ['agent1', 'agent2']) expect(result.agents[id].status, id).toBe('Submitted')
      await expectNothingLeft(w)
    } finally {
      await server.close()
    }
  }, 300_000)

  it('the disk of the log folder fills up while agents write their trajectories: exit 7 naming the file, no truncated JSON, no sandbox; with space again, a rerun finishes', async (ctx) => {
    requireLocalBackend(ctx)
    const skip = tmpfsUnavailable()
    if (skip !== null) {
      if (process.env.CI) throw new Error(`${skip}, and CI is set: the disk-full case must run in CI`)
      ctx.skip(skip)
    }
    const w = await makeWorkdir('fault-disk', 'file')
    // Outside the workdir: every process's mount table lists the tmpfs, and the leak check looks for the workdir's id there.
    const logs = await mkdtemp(join(tmpdir(), 'cb-small-disk-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', logs])
    try {
      const filler = join(logs, 'filler')
      let filled = false
      let refill: NodeJS.Timeout | undefined
      const server = await startScriptedLlmServer({
        script: async (request) => {
          const steps = request.body.messages.filter((m: { role: string }) => m.role === 'assistant').length
          if (steps === 1 && !filled) {
            // The agents have written their first trajectory steps: now the disk is full.
            filled = true
            await writeFile(filler, Buffer.alloc(16 * 1024 * 1024)).catch(() => {})
            // Space freed later (a failed write's temp file) is taken again at once.
            refill = setInterval(() => void appendFile(filler, Buffer.alloc(64 * 1024)).catch(() => {}), 5)
          }
          return steps < 3 ? toolCall('echo step') : finalTurn()
        },
      })
      try {
        const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
        const args = ['run', ...PAIR, '-a', 'mini_swe_agent', '-m', 'openai/scripted-model', '--model-base-url', server.url, '--log-dir', logs]
        const r = await runCli(args, w.options({ env, timeoutMs: 120_000 }))
        clearInterval(refill)
        expect(filled).toBe(true)
        expect(r.code, describeResult(r)).toBe(ExitCode.filesystem)
        expect(r.stderr).toMatch(/no space left on the device/)
        expect(r.stderr).not.toContain('This looks like a bug')
        for (const file of await jsonFilesUnder(logs)) expect(() => JSON.parse(readFileSync(file, 'utf8')), file).not.toThrow()
        await expectNothingLeft(w)
        await rm(filler)
        const again = await runCli(args, w.options({ env, timeoutMs: 120_000 }))
        expect(again.code, describeResult(again)).toBe(0)
        const [dir] = await pairDirs(logs, 'faults', 'coop')
        const result = await readJson(join(dir!, 'result.json'))
        for (const id of ['agent1', 'agent2']) expect(result.agents[id].status, id).toBe('Submitted')
        await expectNothingLeft(w)
      } finally {
        clearInterval(refill)
        await server.close()
      }
    } finally {
      execFileSync('umount', ['-l', logs])
      await rm(logs, { recursive: true, force: true })
    }
  }, 300_000)
})

/** Why a small tmpfs cannot be mounted here (not root), or null. */
function tmpfsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'mounting a small tmpfs needs root'
  return null
}

async function jsonFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => join(e.parentPath, e.name))
}
