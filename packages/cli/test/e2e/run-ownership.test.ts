import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { goldDatasetScript, type ScriptedLlmServer, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { afterEach, describe, expect, it } from 'vitest'
import {
  CLI_BIN,
  DEMO_DATASET,
  describeResult,
  leftoverSandboxes,
  linesStartingWith,
  makeWorkdir,
  readJson,
  requireLocalBackend,
  runCli,
  startCli,
  tempDir,
  type Workdir,
} from './helpers.js'

/**
 * A run owns its folder (`run.lock`): a second run of the same name is refused while the first
 * lives; a dead holder's lock is taken over, and its sandboxes are removed by the rerun.
 */

/** A scripted model (the gold patches) that answers no chat request until `open()`: runs stay mid-agent until then. */
async function gatedModel(): Promise<{ server: ScriptedLlmServer; open(): void }> {
  let open!: () => void
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  const gold = await goldDatasetScript(DEMO_DATASET)
  const server = await startScriptedLlmServer({
    script: async (request, turn) => {
      await gate
      return gold(request, turn)
    },
  })
  return { server, open }
}

const servers: ScriptedLlmServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const runArgs = (url: string) => [
  'run',
  '--dataset-dir',
  DEMO_DATASET,
  '-r',
  'textkit_task',
  '-t',
  '12',
  '-f',
  '1,2',
  '-n',
  'twin',
  '-m',
  'openai/scripted-model',
  '--model-base-url',
  url,
]
const noKey = { OPENAI_API_KEY: '' }

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  for (let waited = 0; !(await condition()); waited += 100) {
    if (waited > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('a run owns its folder', () => {
  it('a second run of the same name while the first runs is refused (exit 6) naming the holder; the first finishes', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('run-lock')
    const model = await gatedModel()
    servers.push(model.server)
    const first = startCli(runArgs(model.server.url), w.options({ env: noKey, timeoutMs: 240_000 }))
    // The first run is inside its agents (they wait for the model): it holds the folder.
    await until(() => model.server.chatRequests().length > 0, 'the first run to call the model')
    const lock = await readJson(join(w.logs, 'twin', 'run.lock'))
    expect(lock).toMatchObject({ pid: first.child.pid, host: hostname(), started_at: expect.any(String) })

    const second = await runCli(runArgs(model.server.url), w.options({ env: noKey }))
    expect(second.code, describeResult(second)).toBe(6)
    expect(linesStartingWith(second.stderr, 'error:')).toEqual([
      `error: run "twin" is in use by another run (pid ${first.child.pid} on ${hostname()}, started ${lock.started_at})`,
    ])
    expect(second.stderr).toMatch(/^hint: Wait for that run to end or stop it/m)
    // An eval of the run meanwhile is refused the same way: it would judge the pairs the run is judging.
    const evaluation = await runCli(['eval', '--dataset-dir', DEMO_DATASET, '-n', 'twin'], w.options({ env: noKey }))
    expect(evaluation.code, describeResult(evaluation)).toBe(6)
    expect(linesStartingWith(evaluation.stderr, 'error:')).toEqual([
      `error: run "twin" is in use by another run (pid ${first.child.pid} on ${hostname()}, started ${lock.started_at})`,
    ])
    // The refused commands left the holder's lock alone.
    expect(await readJson(join(w.logs, 'twin', 'run.lock'))).toEqual(lock)

    model.open()
    const done = await first.result
    expect(done.code, describeResult(done)).toBe(0)
    expect(existsSync(join(w.logs, 'twin', 'run.lock'))).toBe(false)
  }, 300_000)

  it("after kill -9 (not yet collected by its parent), the rerun takes the lock over and removes the dead run's sandboxes", async (ctx) => {
    requireLocalBackend(ctx)
    const w: Workdir = await makeWorkdir('run-lock-dead')
    const model = await gatedModel()
    servers.push(model.server)
    // A parent that never collects its child, as a script that kills a run and starts the next at once:
    // the killed CLI stays a zombie, its pid still taken.
    const env: NodeJS.ProcessEnv = { NO_COLOR: '1', TMPDIR: w.tmp, COOPERBENCH_DATA_DIR: await tempDir('data'), ...noKey }
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('COOPERBENCH_') && !(key in env)) env[key] = value
    const quoted = [CLI_BIN, ...runArgs(model.server.url)].map((a) => `'${a}'`).join(' ')
    const parent = spawn('sh', ['-c', `"${process.execPath}" ${quoted} >/dev/null 2>&1 & echo $!; exec sleep 600`], {
      cwd: w.cwd,
      env,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    try {
      let out = ''
      parent.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk
      })
      await until(() => /^\d+\n/.test(out), 'the pid of the first run')
      const pid = Number(out.trim())
      await until(() => model.server.chatRequests().length >= 2, 'both agents of the first run to call the model')
      expect((await leftoverSandboxes(w.sandboxRoot)).length).toBeGreaterThan(0)
      process.kill(pid, 'SIGKILL')
      await until(() => /\) Z /.test(readProcStat(pid)), 'the killed run to be a zombie')

      model.open()
      const rerun = await runCli(runArgs(model.server.url), w.options({ env: noKey, timeoutMs: 240_000 }))
      expect(rerun.code, describeResult(rerun)).toBe(0)
      expect(rerun.stdout).toMatch(/evaluated\s+1: passed 1/)
      expect(existsSync(join(w.logs, 'twin', 'run.lock'))).toBe(false)
      // Nothing of the dead run is left: its sandboxes were removed by the rerun, not by a later command.
      expect(await leftoverSandboxes(w.sandboxRoot)).toEqual([])
    } finally {
      parent.kill('SIGKILL')
    }
  }, 300_000)
})

function readProcStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return ''
  }
}
