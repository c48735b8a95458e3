import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { CooperbenchError } from '@cooperbench/spec'
import { parse } from 'smol-toml'

/** Where Modal's credentials were found, as Modal's own tools look for them. */
export interface ModalCredentialSource {
  tokenId: string
  tokenSecret: string
  environment: string | undefined
  /** `MODAL_TOKEN_ID/MODAL_TOKEN_SECRET`, or `~/.modal.toml profile <name>`. */
  from: string
}

export type CredentialEnv = Record<string, string | undefined>

/** The config file Modal's CLI writes (`modal token new`), or `MODAL_CONFIG_PATH`. */
export function modalConfigPath(env: CredentialEnv): string {
  return env.MODAL_CONFIG_PATH || join(homedir(), '.modal.toml')
}

/**
 * Modal's credentials: `MODAL_TOKEN_ID`/`MODAL_TOKEN_SECRET`, else the config file's profile
 * `MODAL_PROFILE`, else its active one; the environment `MODAL_ENVIRONMENT`, else the profile's.
 */
export async function findModalCredentials(env: CredentialEnv = process.env): Promise<ModalCredentialSource | null> {
  const environment = env.MODAL_ENVIRONMENT || undefined
  if (env.MODAL_TOKEN_ID && env.MODAL_TOKEN_SECRET) {
    return { tokenId: env.MODAL_TOKEN_ID, tokenSecret: env.MODAL_TOKEN_SECRET, environment, from: 'MODAL_TOKEN_ID/MODAL_TOKEN_SECRET' }
  }
  const path = modalConfigPath(env)
  let profiles: Record<string, unknown>
  try {
    profiles = parse(await readFile(path, 'utf8')) as Record<string, unknown>
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new CooperbenchError('BACKEND_UNAVAILABLE', `cannot read Modal's config file ${path}: ${(error as Error).message}`, {
      hint: 'Fix or remove the file, or set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET.',
    })
  }
  const wanted = env.MODAL_PROFILE || Object.entries(profiles).find(([, p]) => (p as { active?: unknown }).active === true)?.[0]
  const profile = wanted === undefined ? undefined : (profiles[wanted] as Record<string, unknown> | undefined)
  if (profile === undefined) {
    if (env.MODAL_PROFILE) {
      throw new CooperbenchError('BACKEND_UNAVAILABLE', `MODAL_PROFILE is "${env.MODAL_PROFILE}" but ${path} has no such profile`, {
        hint: `Profiles there: ${Object.keys(profiles).join(', ') || 'none'}. Run \`modal token new --profile ${env.MODAL_PROFILE}\` or unset MODAL_PROFILE.`,
      })
    }
    return null
  }
  const tokenId = typeof profile.token_id === 'string' ? profile.token_id : ''
  const tokenSecret = typeof profile.token_secret === 'string' ? profile.token_secret : ''
  if (!tokenId || !tokenSecret) return null
  return {
    tokenId,
    tokenSecret,
    environment: environment ?? (typeof profile.environment === 'string' ? profile.environment : undefined),
    from: `${path} profile ${wanted}`,
  }
}

/** The one-line error of a Modal command or run without credentials. */
export function missingCredentialsError(env: CredentialEnv = process.env): CooperbenchError {
  return new CooperbenchError(
    'BACKEND_UNAVAILABLE',
    'no Modal credentials: MODAL_TOKEN_ID and MODAL_TOKEN_SECRET are not set and ' + `${modalConfigPath(env)} has no profile with a token`,
    {
      hint: 'Run `modal token new` (pip install modal), or set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET; then `cooperbench config modal`.',
    },
  )
}
