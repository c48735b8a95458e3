import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { makeDirectory, type PairFolder, RunFiles, runDir, scanRun, writeFileAtomic, writeJsonAtomic } from '@cooperbench/results'
import { CooperbenchError } from '@cooperbench/spec'
import { create as createTar, extract as extractTar } from 'tar'
import { renderReport } from '../formats/index.js'
import { exportScrubber, runHostFolders } from '../export/scrub.js'
import { reportRuns } from '../readers/read-report.js'
import { taskDigest } from './task-digest.js'

export const BUNDLE_FORMAT = 'cooperbench-bundle-v1'
/** The one folder a bundle's archive holds. */
const ROOT = 'cooperbench-bundle'

/** `bundle.json`: what the bundle holds and what it was made with. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT
  created_at: string
  cooperbench_version: string
  /** Each run with its configuration's fingerprint (config.json's, as the run recorded it). */
  runs: Array<{ name: string; pairs: number; fingerprint: unknown; fingerprint_hash: unknown }>
  /** The plugins installed when the bundle was made that served the runs (their agent, backend, bus, evaluator). */
  plugins: Array<{ kind: string; name: string; plugin: string; version: string }>
  /** `taskDigest` of every task the runs' pairs are of, by `<repo>/<task id>`. */
  dataset: { tasks: Record<string, string> }
  trajectories: boolean
}

export interface WriteBundleOptions {
  logDir: string
  runNames: string[]
  /** The archive to write (`.tar.gz`). */
  file: string
  trajectories: boolean
  /** The folder of a task in the runs' dataset, or null when the dataset has none. */
  taskDir(repo: string, taskId: number): string | null
  plugins: BundleManifest['plugins']
  cooperbenchVersion: string
  datasetDir: string
}

/** The files of a pair folder a bundle holds: its JSON records (its setting's too) and patches; the trajectories only when asked. */
const PAIR_TRAJECTORY = /_traj\.jsonl?$/
const PAIR_RECORD = /\.(json|patch)$/
/** Files a bundle copies as they are: what `verify` compares must be the bytes the run wrote. */
const VERBATIM = /^(eval\.json|.*\.patch)$/
const RUN_FILES = [RunFiles.config, RunFiles.summary, RunFiles.evalSummary, RunFiles.analysis]

/**
 * An archive checkable without trust: per run config.json (plugin versions in bundle.json) and summaries; each pair's result.json, eval.json,
 * patches (trajectories with `trajectories`); report.json/.md of exactly those files; task digests. eval.json and patches byte for byte, the
 * rest scrubbed as exports are.
 */
export async function writeBundle(options: WriteBundleOptions): Promise<{ file: string; pairs: number; tasks: number }> {
  const staging = await mkdtemp(join(tmpdir(), 'cooperbench-bundle-'))
  try {
    const root = join(staging, ROOT)
    const scrub = exportScrubber(await runHostFolders(options.logDir, options.runNames, [options.datasetDir]))
    const runs: BundleManifest['runs'] = []
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
      const config = JSON.parse(await readFile(join(target, RunFiles.config), 'utf8').catch(() => '{}')) as Record<string, unknown>
      runs.push({ name: run, pairs: pairs.length, fingerprint: config['fingerprint'] ?? null, fingerprint_hash: config['fingerprint_hash'] ?? null })
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
      runs,
      plugins: options.plugins,
      dataset: { tasks: digests },
      trajectories: options.trajectories,
    }
    await writeJsonAtomic(join(root, 'bundle.json'), manifest)
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

/** A bundle unpacked into `into`: its manifest and the folder holding `runs/`, `report.json`. */
export async function openBundle(file: string, into: string): Promise<{ manifest: BundleManifest; root: string }> {
  const invalid = (why: string) =>
    new CooperbenchError('BUNDLE_INVALID', `${file} is not a cooperbench bundle: ${why}`, { hint: 'Give the .tar.gz that `cooperbench bundle` wrote.' })
  if (!existsSync(file)) throw new CooperbenchError('USAGE', `${file} does not exist`, { hint: 'Give the path of the bundle (.tar.gz).' })
  try {
    await extractTar({ file, cwd: into, strict: true })
  } catch (error) {
    throw invalid(`it cannot be unpacked (${(error as Error).message})`)
  }
  const root = join(into, ROOT)
  const manifest = JSON.parse(await readFile(join(root, 'bundle.json'), 'utf8').catch(() => 'null')) as BundleManifest | null
  if (manifest?.format !== BUNDLE_FORMAT)
    throw invalid(manifest === null ? 'no bundle.json' : `format ${String(manifest.format)}, this version reads ${BUNDLE_FORMAT}`)
  return { manifest, root }
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
