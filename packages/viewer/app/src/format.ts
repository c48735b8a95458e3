import type { TokenCounts } from '../../src/model.ts'

export { categoryName } from '@cooperbench/spec-utils/report'

export function percent(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : `${(x * 100).toFixed(digits)}%`
}

export function interval(ci: { low: number; high: number } | null | undefined): string {
  return ci ? `[${percent(ci.low)}, ${percent(ci.high)}]` : '–'
}

/** Percentage points, signed: the unit of a deficit. */
export function points(x: number): string {
  const value = (x * 100).toFixed(1)
  return x > 0 ? `+${value}` : value
}

/** A cost with possibly unknown parts (unpriced model): `unknown` when all are, `≥ $1.20 (3 of 10 unknown)` when some are, never `$0`. */
export function costText(x: number, unknownParts: number, parts: number): string {
  if (unknownParts === 0) return money(x)
  if (unknownParts >= parts) return 'unknown'
  return `≥ ${money(x)} (${unknownParts} of ${parts} unknown)`
}

export function money(x: number): string {
  if (x === 0) return '$0'
  return x < 1 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`
}

export function count(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`
  return String(n)
}

export function totalTokens(t: TokenCounts): number {
  return t.input + t.output
}

export function tokens(t: TokenCounts): string {
  return `${count(t.input)} in / ${count(t.output)} out`
}

export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined || Number.isNaN(s)) return '–'
  if (s < 10) return `${s.toFixed(2)} s`
  if (s < 120) return `${s.toFixed(1)} s`
  const m = Math.floor(s / 60)
  return m < 120 ? `${m} min ${Math.round(s - m * 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`
}

export function clock(date: Date): string {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

/** ` · claude_code, gpt-5`: the agent and model a seat named for itself, when it did (else nothing: the run's). */
export function ownAgentText(lane: { ownAgent: string | null; ownModel: string | null }): string {
  const own = [lane.ownAgent, lane.ownModel].filter((name) => name !== null)
  return own.length > 0 ? ` · ${own.join(', ')}` : ''
}

export function truncate(text: string, max: number): { text: string; cut: boolean } {
  return text.length <= max ? { text, cut: false } : { text: `${text.slice(0, max)}…`, cut: true }
}

/** `naive 3 (38%), solo-agent1 4 (50%)`: passes per strategy with shares (the report's `strategyMixText`, which the page cannot import). */
export function strategyText(mix: Record<string, number>): string {
  const total = Object.values(mix).reduce((a, b) => a + b, 0)
  const parts = Object.entries(mix)
    .filter(([, n]) => n > 0)
    .map(([strategy, n]) => `${strategy} ${n} (${Math.round((100 * n) / total)}%)`)
  return parts.length > 0 ? parts.join(', ') : 'no passes'
}

/** `team, no scratchpad, ` before a row's communication: a row of another setting than coop says its setting and variant. */
export function settingAndVariant(row: { setting: string; variant: string | null }): string {
  return row.setting === 'coop' ? '' : `${row.setting}, ${row.variant === null ? '' : `${row.variant}, `}`
}
