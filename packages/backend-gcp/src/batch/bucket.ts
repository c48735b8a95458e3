import { Storage } from '@google-cloud/storage'
import pRetry from 'p-retry'
import type { GoogleSettings } from '../compute.js'

/** The project, credentials and endpoint of the other Google clients, and the bucket. */
export interface BucketSettings extends GoogleSettings {
  bucket: string
}

/** The Cloud Storage calls of Batch evaluation: objects written whole (no resumable session for a few kilobytes). */
export class StagingBucket {
  private readonly storage: Storage

  constructor(private readonly settings: BucketSettings) {
    this.storage = new Storage({
      projectId: settings.project,
      authClient: settings.auth,
      ...(settings.apiEndpoint ? { apiEndpoint: settings.apiEndpoint, useAuthWithCustomEndpoint: true } : {}),
    })
  }

  get name(): string {
    return this.settings.bucket
  }

  async upload(object: string, bytes: Uint8Array): Promise<void> {
    await this.bucket().file(object).save(Buffer.from(bytes), { resumable: false, contentType: 'application/octet-stream' })
  }

  /** The object's bytes, or null when it does not exist. */
  async download(object: string): Promise<Buffer | null> {
    try {
      const [bytes] = await this.bucket().file(object).download()
      return bytes
    } catch (error) {
      if ((error as { code?: number }).code === 404) return null
      throw error
    }
  }

  /** Deletes every object under `prefix`, retried here (Google's client does not retry a delete without a generation precondition). */
  async deletePrefix(prefix: string): Promise<void> {
    await pRetry(
      async () => {
        try {
          await this.bucket().deleteFiles({ prefix, force: true })
        } catch (failures) {
          // With `force`, the client goes through every object and then rejects with the list of errors.
          const errors = [failures].flat()
          throw new Error(`${errors.length} object(s) under gs://${this.name}/${prefix} could not be deleted: ${String(errors[0])}`)
        }
      },
      { retries: 4, minTimeout: 250, factor: 2 },
    )
  }

  async exists(): Promise<boolean> {
    const [exists] = await this.bucket().exists()
    return exists
  }

  /** Creates the bucket in `location` (a region), uniform access, no public access. */
  async create(location: string): Promise<void> {
    await this.storage.createBucket(this.settings.bucket, {
      location,
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, publicAccessPrevention: 'enforced' },
    })
  }

  private bucket() {
    return this.storage.bucket(this.settings.bucket)
  }
}
