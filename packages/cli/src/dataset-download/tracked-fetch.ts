import { HubApiError } from '@huggingface/hub'

/** The hub client's `fetch` with our signal, keeping what streamed bytes hide: the last failure (network error, status), if a resume got all bytes (200). */
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
