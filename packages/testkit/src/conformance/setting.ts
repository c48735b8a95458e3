import { readdir, readFile, rm } from 'node:fs/promises'
import { join, relative } from 'node:path'
import localBackendPlugin from '@cooperbench/backend-local/register'
import { builtinsPlugin } from '@cooperbench/builtins'
import { resolveLayeredConfig } from '@cooperbench/config'
import {
  type Agent,
  type AgentRunContext,
  applyPlugin,
  type Backend,
  type PluginDefinition,
  PluginRegistry,
  type ResultRecord,
  Tokens,
} from '@cooperbench/core'
import { createRootScope } from '@cooperbench/core/plugins'
import { planRun, runBenchmark } from '@cooperbench/core/runner'
import { loadDataset } from '@cooperbench/dataset'
import defaultEvaluatorPlugin from '@cooperbench/evaluator-default/register'
import { emptyAgentResult, silentLogger } from '@cooperbench/spec-utils'
import { recordedSeats } from '@cooperbench/spec-utils/setting'
import { describe, it } from 'vitest'
import { createFixtureTask, defaultRunner, type FixtureTask } from '../fixture-task.js'
import { violation } from './check-support.js'

/** How a setting is run by its conformance suite. */
export interface SettingConformanceOptions {
  /** The plugins that register the setting and whatever it needs; the builtins, the local backend and the default evaluator are added. */
  plugins: PluginDefinition[]
  /** Its name, as `--setting` takes it. */
  setting: string
  /** Its options (`settings.<name>`). */
  options?: Record<string, unknown>
  /** Why the suite cannot run here (no bubblewrap); false to run. */
  skip?: string | false
  /** Per test; default 300 s, a hang guard. */
  timeoutMs?: number
}

/** One pair of the fixture run under a setting: its folder, records, and what the harness saw of sandboxes and seats. */
export interface SettingRun {
  dir: string
  result: ResultRecord
  /** config.json's fingerprint. */
  fingerprint: Record<string, unknown>
  /** The files of the pair folder, relative to it. */
  files: string[]
  /** The file names the setting judges, from its `judged`. */
  judged: string[]
  /** Sandboxes made and not terminated when the run ended. */
  liveSandboxes: number
  /** Seats whose agent (the interruption check's) was still running when the run ended. */
  runningSeats: number
  interrupted: boolean
}

/** A 2-feature task whose gold patches touch different files: the oracle passes it under any setting that applies them. */
async function settingFixture(): Promise<FixtureTask> {
  return createFixtureTask({
    repo: 'setting_conformance_task',
    base: { 'calc.py': 'def add(a, b):\n    return a + b\n', 'run_tests.py': RUN_TESTS },
    features: [
      {
        spec: 'Add `sub(a, b)` in `sub.py`, returning `a - b`.\n',
        source: { 'sub.py': 'def sub(a, b):\n    return a - b\n' },
        tests: { 'tests/test_sub.py': TEST('sub', 'sub(5, 3) == 2') },
      },
      {
        spec: 'Add `mul(a, b)` in `mul.py`, returning `a * b`.\n',
        source: { 'mul.py': 'def mul(a, b):\n    return a * b\n' },
        tests: { 'tests/test_mul.py': TEST('mul', 'mul(2, 3) == 6') },
      },
    ],
    runner: defaultRunner('python3 run_tests.py'),
    hostTools: ['bash', 'git', 'python3'],
  })
}

const TEST = (name: string, check: string) => `from ${name} import ${name}\n\n\ndef test_${name}():\n    assert ${check}\n`
/** Runs every `tests/test_*.py` function and prints pytest's summary line. */
const RUN_TESTS = `import importlib.util, pathlib, sys
sys.path.insert(0, '.')
passed = failed = 0
for path in sorted(pathlib.Path('tests').glob('test_*.py')):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        tests = [getattr(module, n) for n in dir(module) if n.startswith('test_')]
    except Exception:
        failed += 1
        continue
    for test in tests:
        try:
            test()
            passed += 1
        except Exception:
            failed += 1
print(f"== {failed} failed, {passed} passed in 0.01s ==" if failed else f"== {passed} passed in 0.01s ==")
sys.exit(1 if failed else 0)
`

/** Runs of the waiting agent not yet returned. */
let waitingRuns = 0

/** An agent that works until the harness stops it: for the interruption check. */
const WAITING_AGENT: PluginDefinition = {
  name: 'setting-conformance-waiting-agent',
  version: '1.0.0',
  register(api) {
    api.agent({
      name: 'conformance-waiting',
      specificationVersion: 'agent-v1',
      usesModel: false,
      create: (): Agent => ({
        specificationVersion: 'agent-v1',
        name: 'conformance-waiting',
        run: (ctx: AgentRunContext) => {
          waitingRuns += 1
          return new Promise((resolve) => {
            const stopped = () => {
              waitingRuns -= 1
              resolve(emptyAgentResult('Error', 'stopped'))
            }
            ctx.signal.addEventListener('abort', stopped, { once: true })
          })
        },
      }),
    })
  },
}

/**
 * Runs the fixture's pair under the setting with `agent` on the local backend, through core as `cooperbench run` does, counting the
 * sandboxes made and terminated and the seats under way; with `interruptAfterStart`, the run is interrupted once the first seat starts.
 */
export async function runSettingOnFixture(options: SettingConformanceOptions, agent = 'oracle', interruptAfterStart = false): Promise<SettingRun> {
  const fixture = await settingFixture()
  try {
    let live = 0
    const counting: PluginDefinition = {
      name: 'setting-conformance-counting',
      version: '1.0.0',
      register(api) {
        api.service({
          token: Tokens.Backend,
          scope: 'run',
          deps: { backend: Tokens.Backend },
          create: ({ deps }) => countingBackend(deps.backend, (delta) => (live += delta)),
        })
      },
    }
    const registry = new PluginRegistry()
    const plugins = [builtinsPlugin, localBackendPlugin.plugin, defaultEvaluatorPlugin.plugin, WAITING_AGENT, counting, ...options.plugins]
    for (const plugin of plugins) await applyPlugin(registry, plugin)
    const logDir = join(fixture.datasetDir, 'logs')
    const flags = { agent, setting: options.setting, backend: 'local', datasetDir: fixture.datasetDir, logDir, runName: 'conformance', concurrency: 1 }
    const config = { settings: { [options.setting]: options.options ?? {} } }
    const settings = await resolveLayeredConfig(flags as never, config as never, fixture.datasetDir)
    const plan = await planRun(registry, settings)
    const task = (await loadDataset(fixture.datasetDir)).tasks[0]!
    const stop = new AbortController()
    const outcome = await runBenchmark({
      plan,
      pairs: [{ task, features: [1, 2] }],
      registry,
      scope: createRootScope({ registry, logger: silentLogger }),
      logger: silentLogger,
      signal: stop.signal,
      events: { agentStarted: () => (interruptAfterStart ? stop.abort(new Error('interrupted by the conformance check')) : undefined) },
    })
    const dir = join(logDir, 'conformance', options.setting, task.repo, String(task.taskId), 'f1_f2')
    const setting = await registry.create('setting', options.setting, { options: plan.settingOptions, logger: silentLogger })
    const judged = setting.judged([1, 2])
    return {
      dir,
      result: JSON.parse(await readFile(join(dir, 'result.json'), 'utf8').catch(() => 'null')),
      fingerprint: plan.fingerprint.value,
      files: await filesUnder(dir),
      judged: judged.rule === 'merge' ? judged.patches.map((p) => p.file) : [judged.patch.file],
      liveSandboxes: live,
      runningSeats: waitingRuns,
      interrupted: outcome.interrupted,
    }
  } finally {
    await rm(fixture.datasetDir, { recursive: true, force: true }).catch(() => {})
    await fixture.cleanup()
  }
}

/** The backend, counting each sandbox it makes (+1) and terminates (-1). */
function countingBackend(backend: Backend, count: (delta: number) => void): Backend {
  const counting = Object.create(backend) as Backend
  counting.createSandbox = async (spec, signal) => {
    const sandbox = await backend.createSandbox(spec, signal)
    count(1)
    let ended = false
    const terminate = sandbox.terminate.bind(sandbox)
    sandbox.terminate = async () => {
      await terminate()
      if (!ended) count(-1)
      ended = true
    }
    return sandbox
  }
  return counting
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)))
}

/** Each seat's run writes files of its own: no two runs of a pair, across phases, share a trajectory or a patch. */
export function checkSeatFiles(run: SettingRun): void {
  const seats = recordedSeats(run.result)
  for (const key of ['trajectory', 'patch'] as const) {
    const seen = new Map<string, string>()
    for (const seat of seats) {
      const where = `${seat.agentId}${seat.phase ? ` (phase ${seat.phase})` : ''}`
      const other = seen.get(seat[key])
      if (other !== undefined) violation(`${where} and ${other} both write ${seat[key]}: a seat's run must have its own ${key} file, in every phase`)
      seen.set(seat[key], where)
    }
  }
}

/** The files the setting judges are in the pair folder, with the lines result.json records for them. */
export function checkJudgedFiles(run: SettingRun): void {
  for (const file of run.judged) {
    if (!run.files.includes(file)) violation(`the setting judges ${file}, which its pair folder lacks (it holds ${run.files.join(', ')})`)
  }
}

/** What the setting's records say of sharing (messaging, a git remote) the fingerprint says too: runs are never pooled across them. */
export function checkShapeInFingerprint(run: SettingRun): void {
  for (const key of ['messaging_enabled', 'git_enabled'] as const) {
    if (run.result[key] === true && run.fingerprint[key] !== true) {
      violation(`result.json says ${key}: true and the run's fingerprint ${key}: ${String(run.fingerprint[key])}: its shape must say what its pairs use`)
    }
  }
}

/** Every trajectory in the pair folder belongs to a seat the readers (report, export, viewer) find in result.json. */
export function checkSeatsReadable(run: SettingRun): void {
  const named = new Set(recordedSeats(run.result).map((seat) => seat.trajectory))
  for (const file of run.files.filter((f) => f.endsWith('_traj.json'))) {
    if (!named.has(file))
      violation(`${file} is in the pair folder, but no seat of result.json names it: readers would never export or show it (record the phases)`)
  }
}

/** The run ended with no sandbox left and no seat under way, interrupted or not (seats a setting kept and never continued included). */
export function checkEverythingEnded(run: SettingRun, what: string): void {
  if (run.liveSandboxes !== 0) violation(`${what}: ${run.liveSandboxes} sandbox(es) were never terminated`)
  if (run.runningSeats !== 0) violation(`${what}: ${run.runningSeats} seat(s) were still running when the run ended`)
}

/** The suite: the fixture's pair under the setting with the oracle (its files, judging, fingerprint, readers, cleanup), then interrupted. */
export function describeSettingConformance(name: string, options: SettingConformanceOptions): void {
  const timeout = options.timeoutMs ?? 300_000
  describe.skipIf(options.skip)(`setting conformance: ${name}`, () => {
    let ran: Promise<SettingRun> | null = null
    const oracleRun = () => (ran ??= runSettingOnFixture(options))
    it(
      'every run of a seat writes files of its own, across phases, and the files it judges are there',
      async () => {
        const run = await oracleRun()
        if (run.result === null) violation(`the pair wrote no result.json (its folder holds ${run.files.join(', ') || 'nothing'})`)
        checkSeatFiles(run)
        checkJudgedFiles(run)
      },
      timeout,
    )
    it(
      'its shape reaches the fingerprint, and every seat is one the readers find',
      async () => {
        const run = await oracleRun()
        checkShapeInFingerprint(run)
        checkSeatsReadable(run)
        checkEverythingEnded(run, 'after the pair')
      },
      timeout,
    )
    it(
      'an interruption ends every seat and leaves no sandbox',
      async () => {
        const run = await runSettingOnFixture(options, 'conformance-waiting', true)
        if (!run.interrupted) violation('the run was interrupted, but does not say so')
        checkEverythingEnded(run, 'after an interruption')
      },
      timeout,
    )
  })
}
