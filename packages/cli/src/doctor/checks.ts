import { errorMessage, isCooperbenchError } from '@cooperbench/core'
import { firstLine } from '../ui/first-line.js'
import { counted } from '../ui/counted.js'

/** One line of `cooperbench doctor` (and one element of its `--json` value). */
export interface CheckResult {
  check: string
  /** `warn`: might stop a later command, not the next (default model's keys before an LLM run is set), or no answer in time; only `fail` exits non-zero. */
  status: 'ok' | 'warn' | 'fail' | 'skip'
  /** What was found (ok, skip) or what is wrong (warn, fail). */
  detail: string
  /** How to fix a failure or a warning. */
  fix?: string
}

/** A check's outcome before it gets its name: what it found, or that there was nothing to check. */
type CheckOutcome = string | { skip: string } | { detail: string; status?: CheckResult['status']; fix?: string }

/** Runs a check within `timeoutMs`: a throw fails it (message and details on one line, hint as fix); no answer in time is a warning (silence isn't a "no"). */
export async function runCheck(check: string, timeoutMs: number, body: () => Promise<CheckOutcome>, timeoutFix: string): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      const detail = `no answer within ${formatSeconds(timeoutMs)} (a busy machine answers late; rerun with a longer --timeout to tell)`
      resolve({ status: 'warn', detail, fix: timeoutFix })
    }, timeoutMs)
    timer.unref()
  })
  try {
    const outcome = await Promise.race([body(), timedOut])
    if (typeof outcome === 'string') return { check, status: 'ok', detail: outcome }
    if ('skip' in outcome) return { check, status: 'skip', detail: outcome.skip }
    return { check, status: outcome.status ?? 'ok', detail: outcome.detail, ...(outcome.fix ? { fix: outcome.fix } : {}) }
  } catch (error) {
    return failureOf(check, error)
  } finally {
    clearTimeout(timer)
  }
}

/** A failed check from anything thrown: CooperbenchErrors (duck-typed) give their details and hint. */
export function failureOf(check: string, error: unknown, fallbackFix = 'Rerun with --verbose for details.'): CheckResult {
  if (isCooperbenchError(error)) {
    const details = (error.details ?? []).filter((d) => !error.message.includes(d))
    return {
      check,
      status: 'fail',
      detail: details.length ? `${error.message}: ${details.join('; ')}` : error.message,
      fix: error.hint ?? fallbackFix,
    }
  }
  return { check, status: 'fail', detail: firstLine(errorMessage(error)), fix: fallbackFix }
}

/** `ok   node: v22.12.0`, `FAIL bus redis: cannot reach … — fix: start Redis`, `warn …`, `skip …`. */
export function formatCheck(result: CheckResult): string {
  const status = result.status === 'fail' ? 'FAIL' : result.status
  const showFix = (result.status === 'fail' || result.status === 'warn') && result.fix
  return `${status.padEnd(4)} ${result.check}: ${result.detail}${showFix ? ` — fix: ${result.fix}` : ''}`
}

export function summaryLine(results: CheckResult[]): string {
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length
  const warnings = count('warn')
  return `${results.length} checks: ${count('ok')} ok, ${count('fail')} failed, ${warnings ? `${counted(warnings, 'warning')}, ` : ''}${count('skip')} skipped`
}

/** `10 s`, `500 ms`. */
export function formatSeconds(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
