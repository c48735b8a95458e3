import type { FailureOrigin } from '@cooperbench/spec'
import type { CliStreamSummary } from './profile.js'

/** The last lines of a CLI's stderr, at most 2 000 characters. */
export function stderrTail(stderr: string, lines = 20): string {
  const tail = stderr.trimEnd().split('\n').slice(-lines).join('\n')
  return tail.length > 2_000 ? tail.slice(-2_000) : tail
}

/**
 * Whose failure a CLI's error is. The model provider (unreachable, overloaded, rate-limited,
 * rejecting the key), a binary the sandbox cannot run, a full disk: `infra`, worth retrying.
 * Anything else (the CLI gave up, a bad answer): `agent`.
 */
const INFRA_PATTERNS = [
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed|connection (error|refused|reset)|network/i,
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
