import type { Setting } from '@cooperbench/core'
import type { CooperbenchEvent } from '../api/events.js'

interface Counts {
  total: number
  finished: number
  running: number
  reused: number
  errors: number
  toEvaluate: number
  evaluated: number
  passed: number
  failed: number
  evalErrors: number
}

export interface RunProgress {
  onEvent(event: CooperbenchEvent): void
  interrupted(): void
  stop(): void
}

/**
 * Run progress on stderr: on a terminal one live line (bar, counts, pass rate so far, ETA);
 * otherwise one plain line per finished pair and evaluation, for logs and CI.
 */
export function createRunProgress(options: { enabled: boolean; setting: Setting; autoEval: boolean; stream?: NodeJS.WriteStream }): RunProgress {
  const stream = options.stream ?? process.stderr
  const live = options.enabled && stream.isTTY === true
  const counts: Counts = { total: 0, finished: 0, running: 0, reused: 0, errors: 0, toEvaluate: 0, evaluated: 0, passed: 0, failed: 0, evalErrors: 0 }
  const started = Date.now()
  let timer: NodeJS.Timeout | null = null
  let lastLine = ''

  const render = () => {
    if (!live) return
    const line = formatLine(counts, started, options.autoEval, stream.columns ?? 100)
    if (line === lastLine) return
    lastLine = line
    stream.write(`\r\x1b[2K${line}`)
  }
  const print = (text: string) => {
    if (!options.enabled) return
    if (live) stream.write(`\r\x1b[2K${text}\n`)
    else stream.write(`${text}\n`)
    render()
  }

  const handlers = {
    planned(info: { total: number; reused: number; toEvaluate: number }) {
      counts.total = info.total
      counts.toEvaluate = info.toEvaluate
      if (options.enabled && info.reused > 0) print(`${info.reused} pair(s) already finished: reusing their results`)
      if (live) timer = setInterval(render, 250).unref()
      render()
    },
    pairStarted() {
      counts.running++
      render()
    },
    pairFinished({ pair, outcome, result }: Extract<CooperbenchEvent, { type: 'pairFinished' }>) {
      if (outcome.status !== 'skip') counts.running--
      counts.finished++
      if (outcome.status === 'skip') counts.reused++
      if (outcome.status === 'error' || outcome.status === 'failed') {
        counts.errors++
        print(`error ${label(pair)}: ${outcome.error}`)
      } else if (outcome.status === 'done') {
        const seconds = result ? ` ${result.duration_seconds.toFixed(1)}s` : ''
        print(`done  ${label(pair)}${seconds}${result ? statusSuffix(result) : ''}`)
      }
    },
    evalFinished({ pair, verdict, record }: Extract<CooperbenchEvent, { type: 'evalFinished' }>) {
      counts.evaluated++
      if (verdict === 'pass') counts.passed++
      else if (verdict === 'fail') counts.failed++
      else counts.evalErrors++
      const detail = record?.error ? `: ${record.error}` : record?.merge ? ` (merge ${record.merge.status}${record.merge.strategy === 'union' ? ', union' : ''})` : ''
      print(`eval  ${label(pair)} ${verdict}${detail}`)
    },
    warning(message: string) {
      print(`warning: ${message}`)
    },
  }
  return {
    onEvent(event) {
      if (event.type === 'planned') handlers.planned(event)
      else if (event.type === 'pairStarted') handlers.pairStarted()
      else if (event.type === 'pairFinished') handlers.pairFinished(event)
      else if (event.type === 'evalFinished') handlers.evalFinished(event)
      else if (event.type === 'warning') handlers.warning(event.message)
    },
    interrupted() {
      print('interrupted: finishing cleanup…')
    },
    stop() {
      if (timer) clearInterval(timer)
      if (live) stream.write('\r\x1b[2K')
    },
  }
}

function label(pair: { label: string }): string {
  return pair.label
}

function statusSuffix(result: { setting: string; agents?: Record<string, { status: string }>; agent?: { status: string } }): string {
  const statuses = result.agent ? [result.agent.status] : Object.values(result.agents ?? {}).map((a) => a.status)
  return statuses.every((s) => s === 'Submitted') ? '' : ` [${statuses.join(', ')}]`
}

function formatLine(c: Counts, started: number, autoEval: boolean, columns: number): string {
  const done = c.finished
  const width = Math.max(10, Math.min(30, columns - 80))
  const filled = c.total ? Math.round((done / c.total) * width) : 0
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`
  const judged = c.passed + c.failed
  const rate = judged ? `${((c.passed / judged) * 100).toFixed(1)}%` : '–'
  const elapsed = (Date.now() - started) / 1000
  const fresh = done - c.reused
  const remaining = c.total - done
  const eta = fresh > 0 && remaining > 0 ? formatDuration((elapsed / fresh) * remaining) : remaining === 0 ? 'done' : '…'
  const parts = [`${bar} ${done}/${c.total} pairs`, `running ${c.running}`]
  if (autoEval) parts.push(`evaluated ${c.evaluated}/${c.toEvaluate}`, `pass ${rate}`)
  if (c.errors + c.evalErrors > 0) parts.push(`errors ${c.errors + c.evalErrors}`)
  parts.push(`ETA ${eta}`)
  return parts.join(' · ').slice(0, Math.max(20, columns - 1))
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`
  const m = Math.floor(seconds / 60)
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}
