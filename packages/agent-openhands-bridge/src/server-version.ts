import { CooperbenchError } from '@cooperbench/spec'
import type { ServerInfo } from './server-client.js'

/** The oldest agent server the bridge drives: `client_tools` (the coop tools) came in 1.28 (`/interrupt` 1.23, `resend_mode` 1.15, `/ready` 1.12). */
export const MIN_SERVER_VERSION = '1.28.0'

/** The release the bridge is tested against (scripts/openhands-real-server) and the `-oh` images default to. */
export const TESTED_SERVER_VERSION = '1.43.1'

/** Whether `version` (`X.Y.Z…`) is older than {@link MIN_SERVER_VERSION}; false when it is not a version. */
function isOlderVersion(version: string): boolean {
  const have = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim())?.slice(1, 4).map(Number)
  if (have === undefined) return false
  const need = MIN_SERVER_VERSION.split('.').map(Number)
  for (let i = 0; i < 3; i++) if (have[i] !== need[i]) return have[i]! < need[i]!
  return false
}

/** Refuses a server older than {@link MIN_SERVER_VERSION}; one that cannot tell (`unknown`: a source tree without package metadata) passes. */
export function checkServerVersion(info: ServerInfo): void {
  const version = typeof info.version === 'string' ? info.version : ''
  if (!isOlderVersion(version)) return
  throw new CooperbenchError(
    'SANDBOX_FAILED',
    `the agent server in the sandbox is openhands-agent-server ${version}; agent openhands_sdk needs ${MIN_SERVER_VERSION} or later`,
    {
      hint: `Rebuild the task images with a newer server (agents.openhands_sdk.server_version, default ${TESTED_SERVER_VERSION}): \`cooperbench images build --agent openhands\`.`,
    },
  )
}
