import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { resolveLayeredConfig } from '@cooperbench/config'
import { PairFiles, type PairFolder, readJsonIfPresent, recordAgents, RunFiles, scanRun } from '@cooperbench/results'
import { pairFolderName } from '@cooperbench/spec-utils'
import { countPatchLines } from '@cooperbench/spec-utils/patch'
import { recordedSeats } from '@cooperbench/spec-utils/setting'
import { type Dataset, loadDataset, type SelectionSettings, selectIn } from '@cooperbench/dataset'
import {
  type BundleManifest,
  bundleMismatch,
  checkClaim,
  figureDifference,
  openBundle,
  reportRuns,
  signerKey,
  taskDigest,
  verdictDifference,
} from '@cooperbench/report'
import { CooperbenchError } from '@cooperbench/spec'
import { evaluate } from './evaluate.js'
import { safeEmitter } from './events.js'
import { eventLogger, type Host, openLayeredHost } from './host.js'
import { readKeyFile } from './key-file.js'
import type { HostOptions } from './options.js'
import { freshSeed } from './rerun/draw-pairs.js'
import type { RerunEvidence } from './rerun/rerun-evidence.js'
import { rerunBundledPairs } from './rerun/rerun-pairs.js'

export interface VerifyOptions extends Pick<HostOptions, 'cwd' | 'config' | 'plugins' | 'signal' | 'onEvent'> {
  /** The bundle (`.tar.gz`) to check. */
  file: string
  /** The dataset to evaluate against; default the configured one (`./dataset`). */
  datasetDir?: string
  /** Where the patches are evaluated; default the configured backend. */
  backend?: string
  /** Parallel evaluations; default the configured `evalConcurrency`. */
  concurrency?: number
  /** The signer's Ed25519 public key (PEM file): the bundle must be signed by it. */
  signer?: string
  /** Once it verifies, rerun this many pairs drawn from the bundle with the claimed agents, models and options. */
  rerun?: number
  /** The seed of the draw; default a fresh one (`VerifyResult.rerun.seed` says which). */
  seed?: number
  /** The OpenAI-compatible server the reruns call the claimed model at (the verifier's, never the bundle's). */
  modelBaseUrl?: string
  /** The verifier's copy of an agent config file a run claims by its digest. */
  agentConfig?: string
}

export interface VerifyResult {
  file: string
  runs: string[]
  pairs: number
  tasks: number
  /** Figures of the report compared (numbers, strings and booleans of report.json). */
  figures: number
  /** `sha256:<hex>` of the public key that signed the bundle; null: unsigned. */
  signer: string | null
  /** With `rerun`: the reruns' verdicts against the bundle's; evidence, not a check (they never fail verify). */
  rerun: RerunEvidence | null
}

/**
 * `cooperbench verify`: checks a bundle without trusting it or running an agent. Its files must be
 * those bundle.json lists (and signed by `signer`'s key when given), its records its claim
 * (`checkClaim`); task digests must match this dataset; every pair a run's config selects must be
 * in it, finished, each patch with the lines result.json records; each pair re-evaluated from its
 * patches (as `eval`) must get the bundle's verdict, and the report the bundle's, figure by figure.
 * The first difference is a `BUNDLE_MISMATCH` naming it. With `rerun`, a verified bundle's pairs
 * are drawn and run again under its claim (`rerunBundledPairs`): how far the agents and models
 * claimed make its verdicts is evidence returned, not a condition (models vary from run to run).
 */
export async function verifyBundle(options: VerifyOptions, internals: VerifyInternals = {}): Promise<VerifyResult> {
  const work = await mkdtemp(join(tmpdir(), 'cooperbench-verify-'))
  try {
    return (await verifyBundleIn(options, work, internals)).result
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/** What a command that verifies many bundles shares between them. */
export interface VerifyInternals {
  /**
   * The plugins as the caller loaded them: one load per command, not one per evaluation and rerun
   * (each load imports every plugin and reads oclif's manifests again). Loaded on first need when absent.
   */
  host?: Host
}

/** A verified bundle, left unpacked: its result, manifest and root (`runs/`, `report.json`). */
export interface VerifiedBundle {
  result: VerifyResult
  manifest: BundleManifest
  root: string
}

/**
 * `verifyBundle` with the bundle unpacked in `work`, which the caller removes: a caller that reads
 * the bundle next (`leaderboard`) reads the very files that were verified, unpacked once.
 */
export async function verifyBundleIn(options: VerifyOptions, work: string, internals: VerifyInternals = {}): Promise<VerifiedBundle> {
  const cwd = resolve(options.cwd ?? process.cwd())
  const file = resolve(cwd, options.file)
  const rerun = rerunRequested(options)
  const signer = options.signer === undefined ? null : signerKey(await readKeyFile(resolve(cwd, options.signer)), options.signer)
  try {
    return await checkBundle(options, { cwd, file, rerun, signer, work, host: internals.host })
  } catch (error) {
    // A pair left without a verdict by Ctrl+C is this machine's stop, not the bundle's fault: the
    // interruption, never a "does not verify", which a leaderboard would publish against its author.
    if (options.signal?.aborted) throw options.signal.reason
    throw error
  }
}

interface CheckInputs {
  cwd: string
  file: string
  rerun: { count: number; seed: number } | null
  signer: ReturnType<typeof signerKey> | null
  work: string
  host: Host | undefined
}

/** `verifyBundle`'s checks, in their order, on the bundle unpacked into `work`. */
async function checkBundle(options: VerifyOptions, { cwd, file, rerun, signer, work, host: given }: CheckInputs): Promise<VerifiedBundle> {
  const { manifest, root, signer: signedBy } = await openBundle(file, work, signer)
  const { claim } = manifest
  await checkClaim(claim, root, manifest.trajectories)
  const layered = await resolveLayeredConfig({}, options.config, cwd)
  const datasetDir = options.datasetDir ? resolve(cwd, options.datasetDir) : layered.config.datasetDir
  const dataset = await loadDataset(datasetDir)
  for (const [key, digest] of Object.entries(claim.dataset.tasks)) {
    const task = dataset.tasks.find((t) => `${t.repo}/${t.taskId}` === key)
    // A task this dataset lacks is the verifier's to fetch, not the bundle's fault: exit 3, and a
    // leaderboard stops rather than list every submission as not verified.
    if (!task) {
      throw new CooperbenchError('DATASET_NOT_FOUND', `task ${key} of the bundle is missing from the dataset at ${datasetDir}`, {
        hint: 'Verify against the whole dataset the bundle was made on (--dataset-dir), e.g. after `cooperbench dataset download`.',
      })
    }
    const here = await taskDigest(task.dir)
    if (here !== digest) throw bundleMismatch(`the dataset is not the bundle's: task ${key} digests ${here} here, ${digest} in the bundle`)
  }
  const runs = claim.runs.map((r) => r.name)
  const logs = join(work, 'logs')
  const { backend, concurrency, config, plugins, signal, onEvent, modelBaseUrl, agentConfig } = options
  // Loaded once the bundle's own checks pass: a refused bundle costs no plugin load.
  let host = given
  const hostOnce = async () => {
    const logger = eventLogger(onEvent ? safeEmitter(onEvent) : undefined)
    host ??= await openLayeredHost(layered, { plugins, logger }, cwd)
    return host
  }
  let pairs = 0
  for (const run of runs) {
    const bundledRun = join(root, 'runs', run)
    const loggedRun = join(logs, run)
    const bundled = await scanRun(bundledRun)
    const unreadable = bundled.find((pair) => pair.unreadable.length > 0)
    if (unreadable) throw bundleMismatch(`${relative(join(root, 'runs'), unreadable.dir)}: ${unreadable.unreadable[0]!.replace(`${unreadable.dir}/`, '')}`)
    await checkPlannedPairs(run, bundled, bundledRun, datasetDir, dataset)
    for (const pair of bundled) await checkPatchLines(pair, join(root, 'runs'))
    await cp(bundledRun, loggedRun, { recursive: true })
    // Judged again from the patches alone: the bundle's verdicts are what is checked.
    for (const pair of await scanRun(loggedRun)) await rm(join(pair.dir, PairFiles.eval), { force: true })
    await evaluate(
      { runName: run, logDir: logs, datasetDir, force: true, backend, concurrency, cwd, config, plugins, signal, onEvent },
      { commandLine: true, host: await hostOnce() },
    )
    const again = new Map((await scanRun(loggedRun)).map((p) => [relative(loggedRun, p.dir), p]))
    for (const pair of bundled) {
      const folder = relative(bundledRun, pair.dir)
      const name = `${run}/${folder}`
      const judged = again.get(folder)?.eval ?? null
      if (pair.eval === null || judged === null)
        throw bundleMismatch(`${name}: ${pair.eval === null ? 'the bundle has no verdict' : 'evaluating it again gave no verdict'}`)
      const difference = verdictDifference(pair.eval, judged)
      if (difference !== null) throw bundleMismatch(`${name}: ${difference}`)
      pairs++
    }
  }
  const bundledReport = JSON.parse(await readFile(join(root, 'report.json'), 'utf8')) as unknown
  const report = JSON.parse(JSON.stringify(await reportRuns({ logDir: logs, runNames: runs }))) as unknown
  const difference = figureDifference(bundledReport, report)
  if (difference !== null) throw bundleMismatch(`report: ${difference}`)
  const evidence =
    rerun === null
      ? null
      : await rerunBundledPairs({
          ...{ ...rerun, root, runs, work: join(work, 'reruns'), datasetDir, backend, concurrency, modelBaseUrl },
          ...{ cwd, config, plugins, signal, onEvent, agentConfig: agentConfig && resolve(cwd, agentConfig), host: await hostOnce() },
        })
  const tasks = Object.keys(claim.dataset.tasks).length
  return { result: { file, runs, pairs, tasks, figures: countFigures(report), signer: signedBy, rerun: evidence }, manifest, root }
}

/** The reruns asked for, checked before anything is unpacked; null: none. */
function rerunRequested(options: VerifyOptions): { count: number; seed: number } | null {
  const { rerun, seed } = options
  if (rerun === undefined) {
    if (seed !== undefined) throw new CooperbenchError('USAGE', 'a seed draws the pairs to rerun, and no rerun is asked for', { hint: 'Add --rerun K.' })
    return null
  }
  if (!Number.isInteger(rerun) || rerun < 1)
    throw new CooperbenchError('USAGE', `rerun must be a count of pairs (1 or more), not ${rerun}`, { hint: 'e.g. --rerun 5' })
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0))
    throw new CooperbenchError('USAGE', `seed must be a whole number of 0 or more, not ${seed}`, { hint: 'e.g. --seed 42' })
  return { count: rerun, seed: seed ?? freshSeed() }
}

/** Every pair the run's config.json filters (last invocation) select here must be bundled, finished: failing pairs cut out or never run fail it. */
async function checkPlannedPairs(run: string, bundled: PairFolder[], runDir: string, datasetDir: string, dataset: Dataset) {
  const config = (await readJsonIfPresent<{ config?: SelectionSettings & { setting?: unknown } }>(join(runDir, RunFiles.config)))?.config
  if (typeof config?.setting !== 'string')
    throw bundleMismatch(`${run}: its config.json records no configuration, so which pairs the run set out to judge is unknown`)
  const finished = new Set(bundled.filter((p) => p.result !== null).map((p) => relative(runDir, p.dir)))
  for (const { task, features } of (await selectIn(datasetDir, config, () => {}, dataset)).pairs) {
    const pair = join(config.setting, task.repo, String(task.taskId), pairFolderName(features))
    if (!finished.has(pair))
      throw bundleMismatch(`${run}/${pair}: the run's configuration selects this pair on this dataset, but the bundle has no finished pair there`)
  }
}

/** Each agent's patch file has the lines result.json records for it: a patch put in another's place shows here first. */
async function checkPatchLines(pair: PairFolder, runsDir: string) {
  const name = relative(runsDir, pair.dir)
  if (pair.result === null) return
  const recorded = new Map(recordAgents(pair.result))
  for (const seat of recordedSeats(pair.result)) {
    const lines = recorded.get(seat.agentId)?.patch_lines
    const text = await readFile(join(pair.dir, seat.patch), 'utf8').catch(() => null)
    if (text === null) {
      if (typeof lines === 'number' && lines > 0) throw bundleMismatch(`${name}: ${seat.patch} is missing, yet result.json records a ${lines}-line patch`)
      continue
    }
    if (typeof lines === 'number' && countPatchLines(text) !== lines) {
      throw bundleMismatch(`${name}: ${seat.patch} has ${countPatchLines(text)} lines, result.json records ${lines}: not the patch the agent made`)
    }
  }
}

function countFigures(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countFigures(item), 0)
  if (value !== null && typeof value === 'object') return Object.values(value).reduce((sum: number, item) => sum + countFigures(item), 0)
  return 1
}
