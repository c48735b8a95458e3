/** Configuration of the stand-in server: command-line flags and environment variables (see server.ts). */
export interface Config {
  host: string
  port: number
  sessionKeys: string[]
  dropWsAfter: number
  dropWsTimes: number
  hang: 'run' | 'llm' | null
  startupDelayMs: number
  commandTimeoutSeconds: number
  resetStatusReads: number
  /**
   * `--server-version 1.Y.Z`: the version /server_info reports, and the older API below it: no
   * `/ready` before 1.12, no `/interrupt` before 1.23, no
   * `client_tools` before 1.28 (the release notes' dates of those features).
   */
  serverVersion: { text: string; minor: number }
}

function usageError(message: string): never {
  process.stderr.write(`fake openhands agent server: ${message}\n`)
  process.exit(2)
}

function intOption(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) usageError(`${name} must be a non-negative number, not ${JSON.stringify(raw)}`)
  return value
}

/** Session keys as upstream config.py reads them: OH_SESSION_API_KEYS_<n> (V1) else SESSION_API_KEY (V0). */
function sessionKeysFromEnv(env: NodeJS.ProcessEnv): string[] {
  if (env.OH_SESSION_API_KEYS_0 !== undefined) {
    const keys: string[] = []
    for (let i = 0; env[`OH_SESSION_API_KEYS_${i}`] !== undefined; i++) keys.push(env[`OH_SESSION_API_KEYS_${i}`] as string)
    return keys.filter((key) => key !== '')
  }
  return env.SESSION_API_KEY ? [env.SESSION_API_KEY] : []
}

/** The release whose recorded answers the stand-in reproduces. */
export const MODELLED_VERSION = '1.43.1'

function parseVersion(text: string): { text: string; minor: number } {
  const match = /^(\d+)\.(\d+)\.\d+$/.exec(text)
  if (!match || match[1] !== '1') usageError(`--server-version must be 1.Y.Z, not ${JSON.stringify(text)}`)
  return { text, minor: Number(match![2]) }
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const flags: Record<string, string | undefined> = {}
  const takesValue = new Set([
    '--host',
    '--port',
    '--drop-ws-after',
    '--drop-ws-times',
    '--hang',
    '--startup-delay-ms',
    '--command-timeout',
    '--reset-status-reads',
    '--server-version',
    '--import-modules',
    '--extra-python-path',
  ])
  const ignoredBare = new Set(['--reload', '--check-browser'])
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const eq = arg.indexOf('=')
    const name = eq > 0 ? arg.slice(0, eq) : arg
    if (ignoredBare.has(name)) continue
    if (!takesValue.has(name)) usageError(`unknown argument ${JSON.stringify(arg)}`)
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i]
    if (value === undefined) usageError(`${name} needs a value`)
    flags[name] = value
  }
  const sessionKeys = sessionKeysFromEnv(env)
  const hangRaw = flags['--hang'] ?? env.OH_FAKE_HANG ?? ''
  if (hangRaw !== '' && hangRaw !== 'run' && hangRaw !== 'llm') usageError(`--hang must be run or llm, not ${JSON.stringify(hangRaw)}`)
  const port = intOption('--port', flags['--port'], 8000)
  if (!Number.isInteger(port) || port > 65535) usageError(`--port must be a port number`)
  return {
    host: flags['--host'] ?? (sessionKeys.length > 0 ? '0.0.0.0' : '127.0.0.1'),
    port,
    sessionKeys,
    dropWsAfter: Math.floor(intOption('--drop-ws-after', flags['--drop-ws-after'] ?? env.OH_FAKE_DROP_WS_AFTER, 0)),
    dropWsTimes: Math.floor(intOption('--drop-ws-times', flags['--drop-ws-times'] ?? env.OH_FAKE_DROP_WS_TIMES, 1)),
    hang: hangRaw === '' ? null : hangRaw,
    startupDelayMs: intOption('--startup-delay-ms', flags['--startup-delay-ms'] ?? env.OH_FAKE_STARTUP_DELAY_MS, 0),
    commandTimeoutSeconds: intOption('--command-timeout', flags['--command-timeout'] ?? env.OH_FAKE_COMMAND_TIMEOUT, 300),
    resetStatusReads: Math.floor(intOption('--reset-status-reads', flags['--reset-status-reads'] ?? env.OH_FAKE_RESET_STATUS_READS, 0)),
    serverVersion: parseVersion(flags['--server-version'] ?? MODELLED_VERSION),
  }
}
