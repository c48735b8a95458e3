import type { FailureOrigin } from '@cooperbench/spec'
import type { CliStreamSummary } from './profile.js'

/** The last lines of a CLI's stderr, at most 2 000 characters, without the lines `noise` matches. */
export function stderrTail(stderr: string, lines = 20, noise: readonly RegExp[] = []): string {
  const kept = stderr.split('\n').filter((line) => line.trim() !== '' && !noise.some((pattern) => pattern.test(line)))
  const tail = kept.slice(-lines).join('\n')
  return tail.length > 2_000 ? tail.slice(-2_000) : tail
}

/**
 * The error of a CLI that failed, real error first: `error` (what its stream, or the harness that
 * stopped it, names), else `ended` (how the process ended) with the last line of stderr, which is
 * where a CLI says why it stopped; then the stderr's last lines. Lines `noise` matches (warnings
 * the CLI prints on every run) are left out.
 */
export function cliErrorText(failure: { error: string | null; ended: string }, stderr: string, noise: readonly RegExp[]): string {
  const tail = stderrTail(stderr, 20, noise)
  const last = tail.split('\n').at(-1) ?? ''
  const lead = failure.error ?? (last === '' ? failure.ended : `${failure.ended}: ${last}`)
  return `${lead}${tail ? `\nstderr (last lines):\n${tail}` : ''}`
}

/**
 * Whose failure a CLI's error is. The model provider (unreachable, overloaded, rate-limited,
 * rejecting the key), a binary the sandbox cannot run, a full disk: `infra`, worth retrying.
 * Anything else (the CLI gave up, a bad answer): `agent`.
 */
const INFRA_PATTERNS = [
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed|connection (error|refused|reset|failed)|network/i,
  /\b(429|500|502|503|504|529)\b|rate.?limit|overloaded|server error|service unavailable|api_error/i,
  /\b401\b|\b403\b|authentication|invalid.*(api key|x-api-key)|unauthori[sz]ed/i,
  /exec format error|not found: .*ld-|GLIBC_|cannot execute|no such file or directory.*(claude|codex)|ENOSPC|no space left/i,
]

/**
 * A model request the CLI reports as failed (Qwen Code: `[API Error: Connection error.]`, `[API
 * Error: … non-SSE response …]`): the provider did not answer, unless it refused the agent's own
 * prompt as too long, which is the agent's doing.
 */
const FAILED_REQUEST = /\[API Error: /
const AGENT_OWN_REQUEST = /context (length|window)|too long|maximum context|too many tokens/i

export function classifyFailure(text: string, summary: CliStreamSummary): FailureOrigin {
  // A CLI that never reached the model (no turn) failed before the agent could do anything.
  if (INFRA_PATTERNS.some((pattern) => pattern.test(text))) return 'infra'
  if (FAILED_REQUEST.test(text) && !AGENT_OWN_REQUEST.test(text)) return 'infra'
  return summary.steps === 0 ? 'infra' : 'agent'
}
