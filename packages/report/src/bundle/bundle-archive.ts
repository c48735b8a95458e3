import type { KeyObject } from 'node:crypto'
import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { isObject, makeDirectory, type PairFolder, RunFiles, runDir, scanRun, writeFileAtomic, writeJsonAtomic } from '@cooperbench/results'
import { CooperbenchError } from '@cooperbench/spec'
import { create as createTar } from 'tar'
import { renderReport } from '../formats/index.js'
import { exportScrubber, runHostFolders } from '../export/scrub.js'
import { reportRuns } from '../readers/read-report.js'
import { type BundleClaim, claimOfRun, type RunClaim, type SettingClaim } from './bundle-claim.js'
import { bundleMismatch, notABundle } from './bundle-errors.js'
import { checkSignature, signManifest } from './bundle-signature.js'
import { fileDifference, fileDigests } from './file-digests.js'
import { taskDigest } from './task-digest.js'
import { unpackArchive } from './unpack-archive.js'

export const BUNDLE_FORMAT = 'cooperbench-bundle-v2'
/** The one folder a bundle's archive holds. */
const ROOT = 'cooperbench-bundle'
const MANIFEST = 'bundle.json'
const SIGNATURE = 'bundle.sig'

/** `bundle.json`: what the bundle claims, and the digest of each of its other files. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT
  created_at: string
  /** The cooperbench that made the bundle (each run's own is in the claim). */
  cooperbench_version: string
  claim: BundleClaim
  trajectories: boolean
  /**
   * `sha256:<hex>` of every file of the bundle by its path under the root, but bundle.json and
   * bundle.sig: `verify` holds the archive to it first.
   */
  files: Record<string, string>
}

export interface WriteBundleOptions {
  logDir: string
  runNames: string[]
  /** The archive to write (`.tar.gz`). */
  file: string
  trajectories: boolean
  /** The folder of a task in the runs' dataset, or null when the dataset has none. */
  taskDir(repo: string, taskId: number): string | null
  cooperbenchVersion: string
  datasetDir: string
  /** An Ed25519 private key: bundle.sig then holds its signature over bundle.json. */
  signingKey?: KeyObject
}

/** The files of a pair folder a bundle holds: its JSON records (its setting's too) and patches; the trajectories only when asked. */
const PAIR_TRAJECTORY = /_traj\.jsonl?$/
const PAIR_RECORD = /\.(json|patch)$/
/** Files a bundle copies as they are: what `verify` compares must be the bytes the run wrote. */
const VERBATIM = /^(eval\.json|.*\.patch)$/
const RUN_FILES = [RunFiles.config, RunFiles.summary, RunFiles.evalSummary, RunFiles.analysis]

/**
 * An archive checkable without trust: per run config.json and summaries; each pair's result.json,
 * eval.json, patches (trajectories with `trajectories`); report.json/.md of exactly those files;
 * bundle.json with the claim the runs' config.json make and every other file's digest, signed in
 * bundle.sig with `signingKey`. eval.json and patches byte for byte, the rest scrubbed as exports
 * are.
 */
export async function writeBundle(options: WriteBundleOptions): Promise<{ file: string; pairs: number; tasks: number }> {
  const staging = await mkdtemp(join(tmpdir(), 'cooperbench-bundle-'))
  try {
    const root = join(staging, ROOT)
    const scrub = exportScrubber(await runHostFolders(options.logDir, options.runNames, [options.datasetDir]))
    const runs: BundleClaim['runs'] = []
    const tasks = new Map<string, { repo: string; taskId: number }>()
    for (const run of options.runNames) {
      const source = runDir(options.logDir, run)
      const pairs = await scanRun(source)
      if (pairs.length === 0) {
        throw new CooperbenchError('RUN_NOT_FOUND', `no results found for run "${run}" in ${source}`, {
          hint: `Check the name and the log dir; runs are the folders of ${options.logDir}.`,
        })
      }
      const unreadable = pairs.flatMap((p) => p.unreadable)
      if (unreadable.length > 0) {
        throw new CooperbenchError('BUNDLE_INVALID', `run "${run}" has records that cannot be read: ${unreadable[0]}`, {
          hint: 'A bundle must be verifiable: evaluate the run again (`cooperbench eval -n RUN --force`) or remove the broken pair, then bundle.',
        })
      }
      const target = join(root, 'runs', run)
      for (const file of RUN_FILES) await copyRecord(join(source, file), join(target, file), scrub)
      for (const pair of pairs) {
        await copyPair(pair, join(target, relative(source, pair.dir)), options.trajectories, scrub)
        tasks.set(`${pair.repo}/${pair.taskId}`, { repo: pair.repo, taskId: pair.taskId })
      }
      runs.push(await claimOfRun(target, run, pairs))
    }
    const report = await reportRuns({ logDir: join(root, 'runs'), runNames: options.runNames })
    await writeJsonAtomic(join(root, 'report.json'), report)
    await writeFileAtomic(join(root, 'report.md'), renderReport(report, 'md'))
    const digests: Record<string, string> = {}
    for (const [key, { repo, taskId }] of [...tasks].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const dir = options.taskDir(repo, taskId)
      if (dir === null) {
        throw new CooperbenchError('DATASET_NOT_FOUND', `task ${key} of the runs is not in the dataset ${options.datasetDir}`, {
          hint: "Give the dataset the runs were made with (--dataset-dir): the bundle records each task's digest.",
        })
      }
      digests[key] = await taskDigest(dir)
    }
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      created_at: new Date().toISOString(),
      cooperbench_version: options.cooperbenchVersion,
      claim: { runs, dataset: { tasks: digests } },
      trajectories: options.trajectories,
      files: await fileDigests(root, []),
    }
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)
    await writeFileAtomic(join(root, MANIFEST), manifestBytes)
    if (options.signingKey) await writeJsonAtomic(join(root, SIGNATURE), signManifest(manifestBytes, options.signingKey))
    const file = resolve(options.file)
    await makeDirectory(dirname(file))
    const temp = `${file}.tmp-${process.pid}`
    await createTar({ gzip: true, file: temp, cwd: staging, portable: true, mtime: new Date(0) }, [ROOT])
    await rename(temp, file)
    return { file, pairs: runs.reduce((sum, r) => sum + r.pairs, 0), tasks: tasks.size }
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}

/**
 * A bundle opened under `into`: its manifest, the folder holding `runs/` and `report.json`, and its
 * signer's key fingerprint.
 */
export interface OpenedBundle {
  manifest: BundleManifest
  root: string
  /** `sha256:<hex>` of the key that signed bundle.json; null: unsigned. */
  signer: string | null
}

/**
 * Unpacks a bundle under `into` and holds it to its own word before anything reads it: a broken
 * archive is `BUNDLE_INVALID` (exit 2); a file not as bundle.json lists it (changed, missing,
 * added), or a signature that does not check (with `signer`: by another key, or none), is
 * `BUNDLE_MISMATCH` naming it.
 */
export async function openBundle(file: string, into: string, signer: KeyObject | null = null): Promise<OpenedBundle> {
  if (!existsSync(file)) throw new CooperbenchError('USAGE', `${file} does not exist`, { hint: 'Give the path of the bundle (.tar.gz).' })
  const digests = await unpackArchive(file, into, ROOT)
  const root = join(into, ROOT)
  const bytes = digests.has(MANIFEST) ? await readFile(join(root, MANIFEST)) : null
  const manifest = bytes === null ? null : (parseJson(bytes) as BundleManifest | null | undefined)
  if (manifest?.format !== BUNDLE_FORMAT)
    throw notABundle(file, !manifest ? 'it holds no readable bundle.json' : `format ${String(manifest.format)}, this version reads ${BUNDLE_FORMAT}`)
  if (!isBundleManifest(manifest)) throw notABundle(file, 'its bundle.json lacks the claim or the files it lists, or holds them in another shape')
  const listed = new Map([...digests].filter(([path]) => path !== MANIFEST && path !== SIGNATURE))
  const difference = fileDifference(manifest.files ?? {}, listed)
  if (difference !== null) throw bundleMismatch(difference)
  const signature = digests.has(SIGNATURE) ? parseJson(await readFile(join(root, SIGNATURE))) : null
  return { manifest, root, signer: checkSignature(bytes!, signature, signer) }
}

/** The shape `verify` reads (its values are then checked against the files). */
function isBundleManifest(value: BundleManifest): boolean {
  const { claim, files } = value
  const settingShaped = (s: Partial<SettingClaim>) =>
    typeof s?.setting === 'string' && typeof s.agent === 'string' && (s.model === null || typeof s.model === 'string') && isObject(s.options)
  const runShaped = (r: Partial<RunClaim>) =>
    typeof r?.name === 'string' && typeof r.pairs === 'number' && Array.isArray(r.settings) && r.settings.every(settingShaped)
  return isObject(files) && isObject(claim?.dataset?.tasks) && Array.isArray(claim.runs) && claim.runs.every(runShaped)
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    return undefined
  }
}

async function copyPair(pair: PairFolder, target: string, trajectories: boolean, scrub: <T>(value: T) => T) {
  for (const name of await readdir(pair.dir)) {
    const wanted = PAIR_TRAJECTORY.test(name) ? trajectories : PAIR_RECORD.test(name)
    if (wanted) await copyRecord(join(pair.dir, name), join(target, name), scrub)
  }
}

/** A file as the bundle holds it: verbatim, or (a JSON record) without secrets and host paths; nothing when absent. */
async function copyRecord(from: string, to: string, scrub: <T>(value: T) => T) {
  if (!existsSync(from)) return
  await makeDirectory(dirname(to))
  if (VERBATIM.test(basename(from))) return copyFile(from, to)
  const text = await readFile(from, 'utf8')
  if (from.endsWith('.jsonl')) {
    // A journal's last line may be torn by a kill: whole lines only, as readers take them.
    const lines = text.split('\n').flatMap((line) => {
      try {
        return line.trim() === '' ? [] : [JSON.stringify(scrub(JSON.parse(line)))]
      } catch {
        return []
      }
    })
    return writeFileAtomic(to, lines.map((line) => `${line}\n`).join(''))
  }
  await writeFileAtomic(to, `${JSON.stringify(scrub(JSON.parse(text)), null, 2)}\n`)
}
