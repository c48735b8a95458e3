import { randomBytes } from 'node:crypto'
import { type AppFromNameParams, InvalidError, NotFoundError } from 'modal'
import type { ModalApp } from './modal-surface.js'
import { ClientError, Status } from 'nice-grpc-common'

/**
 * What Modal refuses that the backend could send, as Modal's client and server refuse it. Both
 * stand-ins (the Docker-backed port and the mock control plane) apply these, so a request the
 * real service would refuse fails in tests too. Sources are named per rule; the SDK's are in
 * `node_modules/modal/dist/index.js` of `modal` 0.11.1.
 */

/**
 * Tag keys and values: 1 to 63 of `[A-Za-z0-9._-]` (`check_tag_dict` in modal-labs/modal-client
 * `py/modal/_utils/name_utils.py`, with its message). The JS SDK sends sandbox tags unchecked, so
 * the refusal is the server's: a gRPC INVALID_ARGUMENT, which the SDK's `sandboxes.list` and
 * `setTags` turn into `InvalidError` (SandboxService.list, Sandbox.setTags).
 */
export const TAG_PATTERN = /^[A-Za-z0-9._-]{1,63}$/

const TAG_RULES = 'Tags may contain only alphanumeric characters, dashes, periods, or underscores, and must be 63 characters or less.'

/** The server's refusal of a tag, or null when every key and value is one Modal takes. */
export function tagRefusal(rpc: string, tags: Record<string, string> | Array<{ tagName: string; tagValue: string }>): ClientError | null {
  const pairs = Array.isArray(tags) ? tags.map((tag) => [tag.tagName, tag.tagValue] as const) : Object.entries(tags)
  for (const [key, value] of pairs) {
    const refused = !TAG_PATTERN.test(key)
      ? `Invalid tag key: ${JSON.stringify(key)}`
      : !TAG_PATTERN.test(value)
        ? `Invalid tag value: ${JSON.stringify(value)}`
        : null
    if (refused) return new ClientError(rpc, Status.INVALID_ARGUMENT, `${refused}. ${TAG_RULES}`)
  }
  return null
}

/** As the SDK's `sandboxes.list` reports a refused tag filter: `InvalidError` with the server's details. */
export function listRefusal(error: ClientError): InvalidError {
  return new InvalidError(error.details)
}

/**
 * The SDK's checks of `sandboxes.create` params before any request (`buildSandboxCreateRequestProto`):
 * whole-second positive `timeoutMs`, an absolute `workdir`. Plain `Error`s, as the SDK throws them.
 */
export function checkCreateParams(params: { timeoutMs?: number; idleTimeoutMs?: number; workdir?: string }): void {
  checkWholeSeconds('timeoutMs', params.timeoutMs)
  checkWholeSeconds('idleTimeoutMs', params.idleTimeoutMs)
  if (params.workdir && !params.workdir.startsWith('/')) throw new Error(`workdir must be an absolute path, got: ${params.workdir}`)
}

/**
 * The SDK's checks of `sandbox.exec` before it reaches the sandbox (`Sandbox#execInternal`,
 * `validateExecArgs`, `validateEnvVarKeys`, `buildTaskExecStartRequestProto`): argv under 64 KiB,
 * environment names of letters, digits and `_`, a whole-second positive `timeoutMs`, an absolute `workdir`.
 */
export function checkExecParams(command: string[], params: { timeoutMs?: number; workdir?: string; env?: Record<string, string> }): void {
  const argBytes = command.reduce((sum, arg) => sum + arg.length, 0)
  if (argBytes > 2 ** 16) {
    throw new InvalidError(`Total length of CMD arguments must be less than ${2 ** 16} bytes (ARG_MAX). Got ${argBytes} bytes.`)
  }
  for (const key of Object.keys(params.env ?? {})) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key)) {
      throw new InvalidError(
        `Secret key name ${JSON.stringify(key)} is invalid for environment variables. ` +
          'Only letters, numbers, and underscores are allowed, and the name may not start with a number.',
      )
    }
  }
  checkWholeSeconds('timeoutMs', params.timeoutMs)
  if (params.workdir !== undefined && !params.workdir.startsWith('/')) {
    throw new InvalidError(`workdir must be an absolute path, got: ${params.workdir}`)
  }
}

function checkWholeSeconds(name: string, ms: number | undefined): void {
  if (ms !== undefined && ms <= 0) throw new Error(`${name} must be positive, got ${ms}`)
  if (ms && ms % 1000 !== 0) throw new Error(`${name} must be a multiple of 1000ms, got ${ms}`)
}

/**
 * `apps.fromName` as Modal answers it: the app of that name, created when missing and asked to,
 * else `NotFoundError` in Modal's words. `apps` maps app ids to apps.
 */
export function appFromName(apps: Map<string, ModalApp>, name: string, params: AppFromNameParams): ModalApp {
  const existing = [...apps.values()].find((app) => app.name === name)
  if (existing) return existing
  if (!params.createIfMissing) throw new NotFoundError(`App '${name}' not found in environment '${params.environment ?? 'main'}'`)
  const app = { appId: `ap-${randomBytes(8).toString('hex')}`, name }
  apps.set(app.appId, app)
  return app
}
