import type { AgentReport } from '@cooperbench/core/runner'
import type { CooperbenchEvent, PairRef } from '../api/events.js'
import { agentFinishedText, agentStartedText, formatDuration, formatTokens, messageText, pairTitle, type Spend, spendText } from './progress-lines.js'

/** What the live line counts; `tokens`: input + output tokens of the agents that ended in this invocation. */
const zeroCounts = () => ({
  total: 0,
  toRun: 0,
  finished: 0,
  running: 0,
  reused: 0,
  errors: 0,
  toEvaluate: 0,
  evaluated: 0,
  passed: 0,
  failed: 0,
  evalErrors: 0,
  tokens: 0,
})
type Counts = ReturnType<typeof zeroCounts>

/** A pair this invocation runs: its `[Task i/N]` number, when it started, and what its agents spent. */
interface RunningPair {
  index: number
  startedMs: number
  tokens: number
  spend: Spend
}

export interface RunProgress {
  onEvent(event: CooperbenchEvent): void
  /** A line of the run's log (a warning, an error): written above the live line, never into it. */
  note(line: string): void
  interrupted(): void
  stop(): void
}

export interface RunProgressOptions {
  autoEval: boolean
  /** Only pair and evaluation lines: no agent status or message lines. */
  quiet?: boolean
  stream?: NodeJS.WriteStream
}

/** Run progress on stderr as CooperBench's docs show it (`[Task i/N] repo/taskT features_a_b`, agents, completion, verdict); a live line below on a tty. */
export function createRunProgress(options: RunProgressOptions): RunProgress {
  const stream = options.stream ?? process.stderr
  const live = stream.isTTY === true
  const quiet = options.quiet ?? false
  const counts = zeroCounts()
  const spend: Spend = { usd: 0, known: 0, unknown: 0 }
  const pairs = new Map<string, RunningPair>()
  const started = Date.now()
  let timer: NodeJS.Timeout | null = null
  let lastLine = ''

  const render = () => {
    if (!live) return
    // A pseudo-terminal without a size reports 0 columns.
    const line = formatLine(counts, spend, started, options.autoEval, stream.columns || 100)
    if (line === lastLine) return
    lastLine = line
    stream.write(`\r\x1b[2K${line}`)
  }
  /** A line above the live one (which is then drawn again). */
  const print = (text: string) => {
    stream.write(`${live ? '\r\x1b[2K' : ''}${text}\n`)
    lastLine = ''
    render()
  }
  /** `[Task 3/12]`: the pair's place among the pairs this invocation runs. */
  const tagOf = (pair: PairRef) => {
    const running = pairs.get(pair.label)
    return running ? `[Task ${running.index}/${counts.toRun}]` : null
  }
  /** A line about one agent or message of a pair, indented under the pair's tag. */
  const detail = (pair: PairRef, text: string) => {
    if (quiet) return
    print(`${tagOf(pair) ?? pairTitle(pair)}   ${text}`)
  }

  const handlers: { [T in CooperbenchEvent['type']]?: (event: Extract<CooperbenchEvent, { type: T }>) => void } = {
    planned(info) {
      counts.total = info.total
      counts.toRun = info.toRun
      counts.toEvaluate = info.toEvaluate
      if (info.reused > 0) print(`${info.reused} pair(s) already finished: reusing their results`)
      if (live) timer = setInterval(render, 250).unref()
      render()
    },
    pairStarted({ pair }) {
      counts.running++
      pairs.set(pair.label, { index: pairs.size + 1, startedMs: Date.now(), tokens: 0, spend: { usd: 0, known: 0, unknown: 0 } })
      if (!quiet) print(`${tagOf(pair)} ${pairTitle(pair)}`)
      else render()
    },
    agentStarted: ({ pair, agent }) => detail(pair, agentStartedText(agent)),
    messageSent: ({ pair, message }) => detail(pair, messageText(message)),
    agentFinished({ pair, agent }) {
      const tokens = agent.inputTokens + agent.outputTokens
      counts.tokens += tokens
      addSpend(spend, agent)
      const running = pairs.get(pair.label)
      if (running) {
        running.tokens += tokens
        addSpend(running.spend, agent)
      }
      detail(pair, agentFinishedText(agent))
    },
    pairFinished({ pair, outcome, result }) {
      counts.finished++
      if (outcome.status === 'skip') {
        counts.reused++
        render()
        return
      }
      counts.running--
      const running = pairs.get(pair.label)
      const tag = tagOf(pair) ?? '[Task ?]'
      if (outcome.status === 'error' || outcome.status === 'failed') {
        counts.errors++
        const after = running ? ` after ${formatDuration((Date.now() - running.startedMs) / 1000)}` : ''
        print(`${tag} ✗ ${pairTitle(pair)} failed${after}: ${outcome.error}`)
        return
      }
      const seconds = result ? result.duration_seconds : running ? (Date.now() - running.startedMs) / 1000 : 0
      const parts = [`${tag} ✓ ${pairTitle(pair)} complete in ${formatDuration(seconds)}`]
      if (running) parts.push(`${formatTokens(running.tokens)} tokens`, spendText(running.spend))
      print(`${parts.join(' · ')}${result ? statusSuffix(result) : ''}`)
    },
    evalFinished({ pair, verdict, record }) {
      counts.evaluated++
      if (verdict === 'pass') counts.passed++
      else if (verdict === 'fail') counts.failed++
      else counts.evalErrors++
      const detailText = record?.error
        ? `: ${record.error}`
        : record?.merge
          ? ` (merge ${record.merge.status}${record.merge.strategy !== null && record.merge.strategy !== 'naive' ? `, ${record.merge.strategy}` : ''})`
          : ''
      const tag = tagOf(pair)
      print(`${tag ? `${tag} ` : ''}eval ${pairTitle(pair)}: ${verdict}${detailText}`)
    },
    warning: ({ message }) => print(`warning: ${message}`),
  }
  return {
    onEvent: (event) => (handlers[event.type] as ((event: CooperbenchEvent) => void) | undefined)?.(event),
    note: print,
    interrupted: () => print('interrupted: finishing cleanup…'),
    stop() {
      if (timer) clearInterval(timer)
      if (live) stream.write('\r\x1b[2K')
    },
  }
}

function addSpend(spend: Spend, agent: AgentReport) {
  if (agent.costUnknown) spend.unknown++
  else spend.known++
  spend.usd += agent.cost
}

function statusSuffix(result: { setting: string; agents?: Record<string, { status: string }>; agent?: { status: string } }) {
  const statuses = result.agent ? [result.agent.status] : Object.values(result.agents ?? {}).map((a) => a.status)
  return statuses.every((s) => s === 'Submitted') ? '' : ` [${statuses.join(', ')}]`
}

function formatLine(c: Counts, spend: Spend, started: number, autoEval: boolean, columns: number) {
  const done = c.finished
  const width = Math.max(10, Math.min(30, columns - 100))
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
  if (spend.known + spend.unknown > 0) parts.push(`${formatTokens(c.tokens)} tokens`, spendText(spend, true))
  parts.push(`ETA ${eta}`)
  return parts.join(' · ').slice(0, Math.max(20, columns - 1))
}
