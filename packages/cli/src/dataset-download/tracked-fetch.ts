/** What went wrong with the requests of one download, for an error message that names the cause. */
export type RequestFailure = { error: unknown } | { status: number; url: string }

/**
 * A `fetch` for the hub client that carries the command's abort signal and remembers what the
 * client's own errors hide: the network error behind a failed request, an error status, and
 * whether a request for bytes from `resumeFrom` on was answered with the whole file (200).
 */
export interface TrackedFetch {
  fetch: typeof fetch
  failure: RequestFailure | null
  rangeIgnored: boolean
  /** The commit the hub answered from (`X-Repo-Commit` of the last response that had one). */
  repoCommit: string | null
}

export function trackedFetch(signal: AbortSignal, resumeFrom = 0): TrackedFetch {
  const tracker: TrackedFetch = {
    failure: null,
    rangeIgnored: false,
    repoCommit: null,
    fetch: async (input, init) => {
      let response: Response
      try {
        response = await fetch(input, { ...init, signal })
      } catch (error) {
        tracker.failure = { error }
        throw error
      }
      tracker.repoCommit = response.headers.get('x-repo-commit') ?? tracker.repoCommit
      if (!response.ok) tracker.failure = { status: response.status, url: response.url }
      else if (resumeFrom > 0 && response.status === 200 && rangeStart(init?.headers) === resumeFrom) tracker.rangeIgnored = true
      return response
    },
  }
  return tracker
}

/** The first byte a `Range: bytes=N-…` header asks for, or null. */
function rangeStart(headers: RequestInit['headers']): number | null {
  const range = new Headers(headers).get('range')
  const match = range?.match(/^bytes=(\d+)-/)
  return match ? Number(match[1]) : null
}
