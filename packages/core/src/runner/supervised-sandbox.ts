import { type ExecOptions, type Sandbox, CooperbenchError } from '@cooperbench/spec'
import { supervise } from '../util/supervise.js'
import { withExec } from './sandbox-with-exec.js'

/**
 * A command given a `timeoutMs` or `signal` returns within that bound plus `graceMs`: a backend ignoring both gets an error naming it
 * instead of a hung run, the command left to the sandbox's termination.
 */
export function supervisedSandbox(sandbox: Sandbox, backend: string, graceMs: number): Sandbox {
  return withExec(sandbox, async (command, options: ExecOptions = {}) => {
    if (options.timeoutMs === undefined && options.signal === undefined) return sandbox.exec(command, options)
    const bound = options.timeoutMs === undefined ? null : options.timeoutMs + graceMs
    const outcome = await supervise({
      run: (signal) => sandbox.exec(command, { ...options, signal }),
      timeoutMs: bound,
      graceMs,
      signal: options.signal,
    })
    if (outcome.kind === 'fulfilled') return outcome.value
    if (outcome.kind === 'rejected') throw outcome.error
    if (outcome.aborted === 'interrupted') throw options.signal?.reason ?? new DOMException('aborted', 'AbortError')
    throw new CooperbenchError(
      'SANDBOX_FAILED',
      `backend ${backend}: a command in sandbox ${sandbox.id} did not return within ${Math.round((bound ?? 0) / 1000)} s (its timeout of ${Math.round((options.timeoutMs ?? 0) / 1000)} s plus ${Math.round(graceMs / 1000)} s)`,
      {
        hint: "The backend ignored the command's timeout; the sandbox is terminated. Report it to the backend's authors.",
      },
    )
  })
}
