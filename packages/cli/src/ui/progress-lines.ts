import type { AgentRef, AgentReport } from '@cooperbench/core/runner'
import type { PairRef } from '../api/events.js'
import { counted } from './counted.js'

/** How much of a message a progress line shows: one line, this many characters of its text. */
const MESSAGE_PREVIEW_CHARS = 80

/** `llama_index_task/task8394 features_1_2`, as the CooperBench docs show a pair. */
export function pairTitle(pair: Pick<PairRef, 'repo' | 'taskId' | 'features'>): string {
  return `${pair.repo}/task${pair.taskId} features_${pair.features.join('_')}`
}

/** `agent1` → `Agent 1`, `solo` → `Solo`; an id of another shape is kept. */
function agentName(agentId: string) {
  const numbered = /^agent(\d+)$/.exec(agentId)
  if (numbered) return `Agent ${numbered[1]}`
  return agentId === 'solo' ? 'Solo' : agentId
}

export function agentStartedText(agent: AgentRef): string {
  const ids = agent.featureIds
  return `${agentName(agent.agentId)}: implementing feature${ids.length === 1 ? '' : 's'} ${ids.join(', ')}…`
}

/** `Agent 1: Submitted · 12 steps · 48.2k tokens · $0.0310`, plus the error when there is one. */
export function agentFinishedText(agent: AgentReport): string {
  const parts = [
    `${agentName(agent.agentId)}: ${agent.status}`,
    counted(agent.steps, 'step'),
    `${formatTokens(agent.inputTokens + agent.outputTokens)} tokens`,
    agent.costUnknown ? 'cost unknown' : formatUsd(agent.cost),
  ]
  const error = agent.error ? `: ${oneLine(agent.error, 200)}` : ''
  return `${parts.join(' · ')}${error}`
}

/** `Agent 1 → Agent 2: "…"`: the message on one line, cut to `max` characters. */
export function messageText(message: { from: string; to: string; content: string }, max = MESSAGE_PREVIEW_CHARS): string {
  return `${agentName(message.from)} → ${agentName(message.to)}: "${oneLine(message.content, max)}"`
}

/** Whitespace (newlines included) collapsed to single spaces, cut to `max` characters with `…`. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const chars = [...flat]
  return chars.length <= max ? flat : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`
}

/** Money spent so far, and whether part or all of it is unknown (a model with no price). */
export interface Spend {
  usd: number
  /** Agents whose cost is known, and agents whose model has no price. */
  known: number
  unknown: number
}

/**
 * `$0.0310`; `cost unknown (no price for the model: cost limit off)` when no price is known; `≥ $0.0310 (partly unknown, …)` when
 * some are: never `$0` for money not counted. `compact` (the live bar) leaves out why.
 */
export function spendText(spend: Spend, compact = false): string {
  if (spend.unknown === 0) return formatUsd(spend.usd)
  const why = compact ? 'cost limit off' : 'no price for the model: cost limit off'
  if (spend.known === 0 || spend.usd === 0) return `cost unknown (${why})`
  return `≥ ${formatUsd(spend.usd)} (partly unknown, ${why})`
}

function formatUsd(usd: number) {
  return `$${usd.toFixed(4)}`
}

/** `950`, `48.2k`, `1.31M`. */
export function formatTokens(count: number): string {
  if (count < 1000) return String(count)
  if (count < 1_000_000) return `${(count / 1000).toFixed(1)}k`
  return `${(count / 1_000_000).toFixed(2)}M`
}

/** `42s`, `3m42s`, `2h05m`. */
export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds)
  if (whole < 60) return `${whole}s`
  const m = Math.floor(whole / 60)
  if (m < 60) return `${m}m${String(whole % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}
