import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { EvalRecord, ResultRecord } from '@cooperbench/spec'
import { writeJsonAtomic } from './atomic-write.js'
import { PairFiles } from './layout.js'
import {
  compareFeatureLists,
  type PairFolder,
  parsePairFolderName,
  problemLines,
  type RecordAsRead,
  readVerdict,
  recordAsWritten,
  scanRun,
} from './scan-run.js'

/** One scan's pairs, kept current by what is written and removed through it: {@link pairs} is what `scanRun` would find now, unread. */
export class RunFolderRecords {
  private readonly byDir: Map<string, PairFolder>
  /** Pair folders written in (or that a file was removed from): listed when they exist, if the scan did not find them. */
  private readonly touched = new Set<string>()

  private constructor(
    readonly folder: string,
    /** The verdict file the pairs carry (eval.json, or a re-score's `eval.<policy>.json`). */
    readonly evalFile: string,
    scanned: PairFolder[],
  ) {
    this.byDir = new Map(scanned.map((pair) => [pair.dir, pair]))
  }

  static async scan(folder: string, evalFile: string = PairFiles.eval): Promise<RunFolderRecords> {
    return new RunFolderRecords(folder, evalFile, await scanRun(folder, evalFile))
  }

  /** The same pair folders with the verdicts of `evalFile`, read from each (the folder is not scanned again). */
  async withVerdictsOf(evalFile: string): Promise<RunFolderRecords> {
    if (evalFile === this.evalFile) return this
    const pairs = await Promise.all([...this.byDir.values()].map(async (pair) => withRecord(pair, evalFile, 'eval', await readVerdict(pair, evalFile))))
    return new RunFolderRecords(this.folder, evalFile, pairs)
  }

  /** Writes `record` atomically as `file` (result.json, or the verdict file) of the pair folder `dir`. */
  async write(dir: string, file: string, record: ResultRecord | EvalRecord): Promise<void> {
    // The folder may exist from now on, even when the write fails.
    this.touched.add(dir)
    await writeJsonAtomic(join(dir, file), record)
    this.update(dir, file, (key, folder) => recordAsWritten(record, key, folder))
  }

  /** Removes `file` of the pair folder `dir`, if it is there; a folder this invocation then works in is listed once it exists. */
  async remove(dir: string, file: string): Promise<void> {
    this.touched.add(dir)
    await rm(join(dir, file), { force: true })
    this.update(dir, file, null)
  }

  /** The pairs of the folder now (a copy; the records are never changed in place), ordered as `scanRun` orders them. */
  pairs(): PairFolder[] {
    for (const dir of this.touched) {
      if (!this.byDir.has(dir)) {
        if (!existsSync(dir)) continue
        const found = pairFolderAt(this.folder, dir)
        if (found) this.byDir.set(dir, found)
      }
      this.touched.delete(dir)
    }
    const places = new Map([...this.byDir.keys()].map((dir) => [dir, placeOf(this.folder, dir)]))
    const all = [...this.byDir.values()]
    // The reference's layout (`<run>/<repo>/…`) is read only when no setting folder holds a pair.
    const inSettings = all.filter((pair) => places.get(pair.dir)!.setting !== null)
    return (inSettings.length > 0 ? inSettings : all).sort((a, b) => comparePlaces(places.get(a.dir)!, places.get(b.dir)!))
  }

  /** The pair `dir` with its `file` as written (`written`), or removed (null). */
  private update(dir: string, file: string, written: ((key: 'result' | 'eval', folder: PairFolder) => RecordAsRead<ResultRecord | EvalRecord>) | null): void {
    const key = file === PairFiles.result ? 'result' : file === this.evalFile ? 'eval' : null
    // A folder written in exists: it is listed as scanRun would list it (none outside its layout).
    const known = this.byDir.get(dir) ?? (written === null ? undefined : pairFolderAt(this.folder, dir))
    if (key === null || !known) return
    this.byDir.set(dir, withRecord(known, file, key, written === null ? NOTHING : written(key, known)))
  }
}

const NOTHING: RecordAsRead<never> = { value: null, problem: null }

/** `pair` with its record `key` (read from `file`) replaced, and that file's line of `unreadable` with it. */
function withRecord(pair: PairFolder, file: string, key: 'result' | 'eval', read: RecordAsRead<ResultRecord | EvalRecord>): PairFolder {
  // `unreadable` holds at most a line for result.json, then one for the verdict file.
  const isResultLine = (line: string) => line.startsWith(`${join(pair.dir, PairFiles.result)} `)
  const lines = problemLines(pair.dir, file, read)
  const unreadable = key === 'result' ? [...lines, ...pair.unreadable.filter((l) => !isResultLine(l))] : [...pair.unreadable.filter(isResultLine), ...lines]
  return { ...pair, [key]: read.value, unreadable }
}

/** Where a pair folder lies in the run folder, as `scanRun` orders it; setting null in the reference's layout. */
interface Place {
  setting: string | null
  repo: string
  task: string
  name: string
  features: number[]
}

function placeOf(folder: string, dir: string): Place {
  const parts = relative(folder, dir).split(sep)
  const [repo = '', task = '', name = ''] = parts.length === 4 ? parts.slice(1) : parts
  const setting = parts.length === 4 ? parts[0]! : null
  return { setting, repo, task, name, features: parsePairFolderName(name) ?? [] }
}

function comparePlaces(a: Place, b: Place): number {
  return (
    compareText(a.setting ?? '', b.setting ?? '') ||
    compareText(a.repo, b.repo) ||
    compareText(a.task, b.task) ||
    compareFeatureLists(a.features, b.features) ||
    compareText(a.name, b.name)
  )
}

/** The order of `Array.prototype.sort` without a comparator, which `scanRun` lists folders in. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The pair folder `dir` as `scanRun` would list it with no records yet; null for a folder it does not list. */
function pairFolderAt(folder: string, dir: string): PairFolder | null {
  const { setting, repo, task, name } = placeOf(folder, dir)
  const features = parsePairFolderName(name)
  if (setting === null || setting.endsWith('_task') || !repo.endsWith('_task') || !/^\d+$/.test(task) || features === null) return null
  return { setting, repo, taskId: Number(task), features, dir, result: null, eval: null, unreadable: [] }
}
