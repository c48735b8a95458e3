import { HubApiError } from '@huggingface/hub'

/**
 * A `fetch` for the hub client with the command's abort signal, keeping what the client hides when a file's bytes come
 * as a stream (its errors reach the reader as bare text): the last failed request's network error or error status, and
 * whether a request for the bytes from `resumeFrom` on got the whole file (200).
 */
export interface TrackedFetch {
  fetch: typeof fetch
  failure: unknown
  rangeIgnored: boolean
}

export function trackedFetch(signal: AbortSignal, resumeFrom = 0): TrackedFetch {
  const tracker: TrackedFetch = {
    failure: null,
    rangeIgnored: false,
    fetch: async (input, init) => {
      const response = await fetch(input, { ...init, signal }).catch((error: unknown) => {
        tracker.failure = error
        throw error
      })
      if (!response.ok) tracker.failure = new HubApiError(response.url, response.status)
      else if (resumeFrom > 0 && response.status === 200 && new Headers(init?.headers).get('range')?.startsWith(`bytes=${resumeFrom}-`)) {
        tracker.rangeIgnored = true
      }
      return response
    },
  }
  return tracker
}
