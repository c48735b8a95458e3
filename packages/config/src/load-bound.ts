import { CooperbenchError } from '@cooperbench/spec'
import { invalidConfigError } from './validate.js'

/** A JS/TS config file's load (top-level code and `await`, then an exported function): generous, as computing values takes far less. */
export const CONFIG_LOAD_TIMEOUT_MS = 60_000

/** The environment variable that sets another bound, in milliseconds (a test's small one). */
export const CONFIG_LOAD_TIMEOUT_VARIABLE = 'COOPERBENCH_CONFIG_LOAD_TIMEOUT_MS'

/** What bounds the loading of a config file. */
export interface ConfigLoadBound {
  /** Default {@link CONFIG_LOAD_TIMEOUT_MS}. */
  timeoutMs?: number
  /** Aborting it (Ctrl+C, SIGTERM) ends the loading at once with INTERRUPTED. */
  signal?: AbortSignal
}

/** The bound `env` sets with {@link CONFIG_LOAD_TIMEOUT_VARIABLE}, else {@link CONFIG_LOAD_TIMEOUT_MS}. */
export function configLoadTimeoutMs(env: NodeJS.ProcessEnv): number {
  const raw = env[CONFIG_LOAD_TIMEOUT_VARIABLE]?.trim()
  if (raw === undefined || raw === '') return CONFIG_LOAD_TIMEOUT_MS
  if (/^\d+$/.test(raw) && Number(raw) > 0) return Number(raw)
  throw invalidConfigError('the environment', [`${CONFIG_LOAD_TIMEOUT_VARIABLE}: must be a positive integer (milliseconds), got ${JSON.stringify(raw)}`], {
    hint: 'Fix or unset the variables listed above.',
  })
}

/** What of a config file is awaited: the import of the module, or the function it exports. */
export type ConfigLoadStep = 'module' | 'exported function'

/**
 * CONFIG_INVALID naming the file when the event loop runs empty while `loading` pends (Node would exit 13 naming the CLI's bin, not
 * the file) or the bound passes (a live timer or socket). The timer is unref'd: it never keeps a process alive.
 */
export function settledWithinBound<T>(loading: Promise<T>, filepath: string, step: ConfigLoadStep, bound: ConfigLoadBound): Promise<T> {
  const timeoutMs = bound.timeoutMs ?? CONFIG_LOAD_TIMEOUT_MS
  const { signal } = bound
  const awaited = step === 'module' ? 'its top-level await' : 'the promise its exported function returned'
  const cannotSettle = (what: string, fix: string) =>
    new CooperbenchError('CONFIG_INVALID', `cannot load config file ${filepath}: ${awaited} ${what}`, { hint: `${fix}; or pass another file with --config.` })
  return new Promise<T>((resolve, reject) => {
    const settle = (finish: () => void) => {
      clearTimeout(timer)
      process.off('beforeExit', drained)
      signal?.removeEventListener('abort', aborted)
      finish()
    }
    const fail = (error: unknown) => settle(() => reject(error))
    const drained = () => fail(cannotSettle('never settled', 'Nothing is left that could settle it (a promise nothing resolves): make it finish'))
    const timedOut = () =>
      fail(
        cannotSettle(
          `did not settle within ${timeoutMs / 1000} s`,
          `It waits on something that does not come: make it finish, or give it longer with ${CONFIG_LOAD_TIMEOUT_VARIABLE}=<milliseconds>`,
        ),
      )
    const aborted = () =>
      fail(
        new CooperbenchError('INTERRUPTED', `interrupted while loading config file ${filepath}`, {
          hint: 'Nothing had started yet. If the file takes long to load, check what its top-level code waits for.',
        }),
      )
    const timer = setTimeout(timedOut, timeoutMs)
    timer.unref()
    process.on('beforeExit', drained)
    signal?.addEventListener('abort', aborted, { once: true })
    if (signal?.aborted) aborted()
    loading.then((value) => settle(() => resolve(value)), fail)
  })
}
