import { existsSync } from 'node:fs'
import { copyFile, mkdir, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { CooperbenchError } from '@cooperbench/core'
import { writeFileAtomic } from '@cooperbench/results'
import { APP_FILES, appDir, indexHtml } from './app-files.js'
import { ViewerSource, type ViewerSourceOptions } from './viewer-source.js'

export interface ExportViewerOptions extends ViewerSourceOptions {
  /** Folder to write the bundle to (created; files of an earlier export are replaced). */
  outDir: string
}

export interface ExportedViewer {
  dir: string
  /** `<dir>/index.html`: open it from the file system or serve the folder statically. */
  index: string
  runs: number
  pairs: number
  /** Pairs shown as unreadable (a result.json or eval.json that cannot be used): in no count of the overview. */
  unreadablePairs: number
  /** Files listed under the overview's "Files that could not be read", each with why. */
  problems: string[]
}

/** A static viewer: the app plus each run's data as `data/*.js` scripts (script tags, not fetch, so it works from file:// too). */
export async function exportViewer(options: ExportViewerOptions): Promise<ExportedViewer> {
  // An export may be read anywhere: it names no folder of this machine.
  const source = new ViewerSource({ ...options, maxAgeMs: Number.POSITIVE_INFINITY, paths: 'names-only' })
  await source.check()
  const dir = resolve(options.outDir)
  const existing = await stat(dir).catch(() => null)
  if (existing && !existing.isDirectory()) {
    throw new CooperbenchError('USAGE', `--export ${options.outDir} is a file`, { hint: 'Name a folder (it is created if missing).' })
  }
  await mkdir(join(dir, 'data', 'pairs'), { recursive: true })
  const app = appDir()
  for (const file of APP_FILES) await copyFile(join(app, file), join(dir, file))
  const data = await source.data()
  await writeFileAtomic(join(dir, 'data', 'viewer-data.js'), `window.COOPERBENCH_DATA = ${JSON.stringify(data)};\n`)
  for (const id of await source.pairIds()) {
    const detail = await source.pair(id)
    const script = `(window.COOPERBENCH_PAIRS = window.COOPERBENCH_PAIRS || {})[${JSON.stringify(id)}] = ${JSON.stringify(detail)};\n`
    await writeFileAtomic(join(dir, 'data', 'pairs', `${id}.js`), script)
    // The raw trajectories beside it, linked from the pair page.
    for (const lane of detail?.lanes ?? []) {
      const file = await source.trajectoryFile(id, lane.trajectoryFile)
      if (file === null || !existsSync(file)) continue
      const target = join(dir, 'data', 'pairs', id, lane.trajectoryFile)
      await mkdir(dirname(target), { recursive: true })
      await copyFile(file, target)
    }
  }
  const index = join(dir, 'index.html')
  await writeFileAtomic(index, indexHtml({ mode: 'static' }, `cooperbench view: ${data.runs.map((r) => r.name).join(', ')}`))
  const unreadablePairs = data.runs.reduce((sum, run) => sum + run.unreadable, 0)
  return { dir, index, runs: data.runs.length, pairs: data.pairs.length, unreadablePairs, problems: data.problems }
}
