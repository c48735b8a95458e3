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
 * Application Default Credentials, found as Google's own libraries find them
 * (`GOOGLE_APPLICATION_CREDENTIALS`, the gcloud ADC file, the metadata server), and the project
 * (`project` option, else `GOOGLE_CLOUD_PROJECT`, else the credentials'). Throws one line naming
 * `gcloud auth application-default login` when there are none.
 */
export async function findGcpCredentials(project: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<GcpCredentials> {
  // Off Google Cloud the metadata-server probe goes over the network and prints a warning of its
  // own; reading the machine's BIOS says just as well whether this is a Google VM.
  process.env.METADATA_SERVER_DETECTION ??= 'bios-only'
  // A known project spares the library from asking Cloud Resource Manager for one.
  const known = project ?? (env.GOOGLE_CLOUD_PROJECT || undefined)
  const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE], ...(known ? { projectId: known } : {}) })
  try {
    await auth.getClient()
  } catch (error) {
    throw new CooperbenchError('BACKEND_UNAVAILABLE', `no Google Application Default Credentials: ${firstLine(error)}`, {
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

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/\.$/, '')
}
