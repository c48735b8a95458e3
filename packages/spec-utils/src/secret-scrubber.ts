import { REDACTED } from './redact-url.js'

/** Variable names whose values are secrets. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL)/i
/** Shorter values are not treated as secrets (a dummy key such as `EMPTY`, a flag). */
const MIN_SECRET_LENGTH = 8

const PATTERNS: Array<[RegExp, string]> = [
  // Authorization: Bearer <token> (headers, curl lines, error dumps)
  [/\b(Bearer|Basic)\s+[^\s"',;}]+/gi, `$1 ${REDACTED}`],
  // "x-api-key": "…", x-goog-api-key=…, api-key: …
  [/((?:x-api-key|x-goog-api-key|api-key|authorization)"?\s*[:=]\s*"?)(?!Bearer\b|Basic\b)[^\s"',;}]+/gi, `$1${REDACTED}`],
  // ?key=…&api_key=…
  [/([?&](?:key|api_key|apikey|access_token|token)=)[^&\s"']+/gi, `$1${REDACTED}`],
  // Key-shaped tokens: sk-…, sk-ant-…, sk-or-…, AIza…
  [/\bsk-[A-Za-z0-9_-]{12,}/g, REDACTED],
  [/\bAIza[A-Za-z0-9_-]{20,}/g, REDACTED],
]

/**
 * Removes secrets from text for logs, errors and trajectories: the given values, those of `env`'s key-like variables, bearer tokens,
 * API-key headers and query parameters, key-shaped tokens.
 */
export class SecretScrubber {
  private readonly secrets: string[]

  constructor(secrets: Iterable<string | undefined>, env: NodeJS.ProcessEnv = {}) {
    const values = new Set<string>()
    for (const secret of secrets) if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) values.add(secret)
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined && SECRET_NAME.test(name) && value.trim().length >= MIN_SECRET_LENGTH) values.add(value.trim())
    }
    // Longest first, so a secret containing another is removed whole.
    this.secrets = [...values].sort((a, b) => b.length - a.length)
  }

  text(text: string): string {
    let result = text
    for (const secret of this.secrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED)
    for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement)
    return result
  }

  /** A JSON-like value with every string scrubbed (a copy only when something changed). */
  value<T>(value: T): T {
    if (value === undefined || value === null) return value
    let json: string
    try {
      json = JSON.stringify(value)
    } catch {
      return value
    }
    if (json === undefined) return value
    const scrubbed = this.text(json)
    if (scrubbed === json) return value
    try {
      return JSON.parse(scrubbed) as T
    } catch {
      return scrubbed as T
    }
  }
}
