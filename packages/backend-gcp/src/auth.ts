import { CooperbenchError } from '@cooperbench/spec'
import { type AuthClient, GoogleAuth } from 'google-auth-library'

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform'

/** Google credentials and the project they and the options name. */
export interface GcpCredentials {
  auth: GoogleAuth | AuthClient
  project: string
  /** Where they came from, for `doctor` and `config gcp`. */
  from: string
}

/**
 * Application Default Credentials, as Google's libraries find them, and the project (`project`,
 * else `GOOGLE_CLOUD_PROJECT`, else the credentials'); BACKEND_UNAVAILABLE when there are none.
 */
export async function findGcpCredentials(project: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<GcpCredentials> {
  // Off Google Cloud the metadata-server probe goes over the network and prints a warning; the BIOS tells as well.
  process.env.METADATA_SERVER_DETECTION ??= 'bios-only'
  // A known project spares the library from asking Cloud Resource Manager for one.
  const known = project ?? (env.GOOGLE_CLOUD_PROJECT || undefined)
  const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE], ...(known ? { projectId: known } : {}) })
  try {
    await auth.getClient()
  } catch (error) {
    throw new CooperbenchError('BACKEND_UNAVAILABLE', `no Google Application Default Credentials: ${firstLine(error).replace(/\.$/, '')}`, {
      hint: 'Run `gcloud auth application-default login` (or set GOOGLE_APPLICATION_CREDENTIALS to a key file), then `cooperbench config gcp`.',
      cause: error,
    })
  }
  const chosen = known ?? (await auth.getProjectId().catch(() => undefined))
  if (!chosen) {
    throw new CooperbenchError(
      'BACKEND_UNAVAILABLE',
      'no Google Cloud project: backends.gcp.project and GOOGLE_CLOUD_PROJECT are not set and the credentials name none',
      {
        hint: 'Set backends.gcp.project (`cooperbench config gcp --project P --zone Z`) or GOOGLE_CLOUD_PROJECT.',
      },
    )
  }
  return {
    auth,
    project: chosen,
    from: env.GOOGLE_APPLICATION_CREDENTIALS ? `GOOGLE_APPLICATION_CREDENTIALS (${env.GOOGLE_APPLICATION_CREDENTIALS})` : 'application default credentials',
  }
}

/** The first line of an error's message. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!
}
