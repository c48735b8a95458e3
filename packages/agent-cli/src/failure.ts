import type { FailureOrigin } from '@cooperbench/spec'
import type { CliStreamSummary } from './profile.js'

/** The last lines of a CLI's stderr, at most 2 000 characters, without the lines `noise` matches. */
export function stderrTail(stderr: string, lines = 20, noise: readonly RegExp[] = []): string {
  const kept = stderr.split('\n').filter((line) => line.trim() !== '' && !noise.some((pattern) => pattern.test(line)))
  const tail = kept.slice(-lines).join('\n')
  return tail.length > 2_000 ? tail.slice(-2_000) : tail
}

/**
 * The error of a failed CLI, the real one first: `error` (from its stream or the harness), else `ended` with stderr's last
 * line (where a CLI says why it stopped); then stderr's last lines, without those `noise` matches (warnings on every run).
 */
export function cliErrorText(failure: { error: string | null; ended: string }, stderr: string, noise: readonly RegExp[]): string {
  const tail = stderrTail(stderr, 20, noise)
  const last = tail.split('\n').at(-1) ?? ''
  const lead = failure.error ?? (last === '' ? failure.ended : `${failure.ended}: ${last}`)
  return `${lead}${tail ? `\nstderr (last lines):\n${tail}` : ''}`
}

/** `infra` (worth retrying): the provider unreachable, overloaded, rate-limiting or refusing the key, a binary that cannot run, a full disk. */
const INFRA_PATTERNS = [
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed|connection (error|refused|reset|failed)|network/i,
  /\b(429|500|502|503|504|529)\b|rate.?limit|overloaded|server error|service unavailable|api_error/i,
  /\b401\b|\b403\b|authentication|invalid.*(api key|x-api-key)|unauthori[sz]ed/i,
  /exec format error|not found: .*ld-|GLIBC_|cannot execute|no such file or directory.*(claude|codex)|ENOSPC|no space left/i,
]

/** A request the CLI reports failed (Qwen Code's `[API Error: …]`): the provider's, unless it refused the agent's prompt as too long. */
const FAILED_REQUEST = /\[API Error: /
const AGENT_OWN_REQUEST = /context (length|window)|too long|maximum context|too many tokens/i

export function classifyFailure(text: string, summary: CliStreamSummary): FailureOrigin {
  // A CLI that never reached the model (no turn) failed before the agent could do anything.
  if (INFRA_PATTERNS.some((pattern) => pattern.test(text))) return 'infra'
  if (FAILED_REQUEST.test(text) && !AGENT_OWN_REQUEST.test(text)) return 'infra'
  return summary.steps === 0 ? 'infra' : 'agent'
}
