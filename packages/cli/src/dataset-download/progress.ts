import cliProgress from 'cli-progress'
import formatBytes from 'pretty-bytes'
import type { FetchOutcome } from './fetch-file.js'

/** What a download reports while it runs. */
export interface DownloadProgress {
  note(text: string): void
  start(plan: { toFetch: number; bytes: number; present: number }): void
  bytes(delta: number): void
  fileDone(path: string, outcome: FetchOutcome): void
  stop(): void
}

/** Download progress on stderr: a bar (bytes, files, ETA) on a terminal, else lines (the plan, resumed files, each tenth of the files); none for --json. */
export function createDownloadProgress(mode: 'auto' | 'silent', stream: NodeJS.WriteStream = process.stderr): DownloadProgress {
  if (mode === 'silent') return { note() {}, start() {}, bytes() {}, fileDone() {}, stop() {} }
  const live = stream.isTTY === true
  let bar: cliProgress.SingleBar | null = null
  let total = { files: 0, bytes: 0 }
  const done = { files: 0, bytes: 0 }
  let tenthsPrinted = 0
  const payload = () => ({ files: done.files, totalFiles: total.files, done: formatBytes(done.bytes), size: formatBytes(total.bytes) })
  const line = (text: string) => {
    if (bar === null) stream.write(`${text}\n`)
  }

  return {
    note: line,
    start(plan) {
      total = { files: plan.toFetch, bytes: plan.bytes }
      if (plan.present > 0) line(`${plan.present} file(s) already present and verified`)
      if (plan.toFetch === 0) return
      line(`fetching ${plan.toFetch} file(s), ${formatBytes(plan.bytes)}`)
      if (!live) return
      bar = new cliProgress.SingleBar(
        { stream, hideCursor: true, format: '{bar} {percentage}% | {files}/{totalFiles} files | {done} of {size} | ETA {eta_formatted}' },
        cliProgress.Presets.shades_classic,
      )
      bar.start(Math.max(plan.bytes, 1), 0, payload())
    },
    bytes(delta) {
      done.bytes += delta
      bar?.update(Math.min(done.bytes, Math.max(total.bytes, 1)), payload())
    },
    fileDone(path, outcome) {
      done.files++
      bar?.update(payload())
      if (outcome === 'resumed') line(`resumed ${path}`)
      const tenths = total.files === 0 ? 10 : Math.floor((done.files * 10) / total.files)
      if (tenths > tenthsPrinted) {
        tenthsPrinted = tenths
        line(`fetched ${done.files}/${total.files} files (${formatBytes(done.bytes)} of ${formatBytes(total.bytes)})`)
      }
    },
    stop() {
      bar?.stop()
      bar = null
    },
  }
}
