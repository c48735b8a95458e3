/** What the stand-in Hugging Face hub serves and how it misbehaves on request. */
export interface HfHubStandInOptions {
  /** The dataset repo served, `owner/name`, e.g. `cooperbench/cooperbench`. */
  repo: string
  /** The repo's files at its one commit: path (with `/`) → content. */
  files: Record<string, string | Uint8Array>
  /** Paths stored with Git LFS: their tree entries carry `lfs`, and resolve redirects to a CDN path. */
  lfs?: (path: string) => boolean
  /** Tree entries per page; the hub pages with a `Link: <…>; rel="next"` header. [default: 1000, the hub's] */
  pageSize?: number
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401, like a gated repo). */
  token?: string
}

/** One request the stand-in answered (or dropped). */
export interface HfHubRequest {
  method: string
  /** Path and query as sent. */
  url: string
  /** The repo file the request was for (resolve and CDN requests), else null. */
  file: string | null
  /** The `Range` header, or null. */
  range: string | null
  authorization: string | null
  status: number
}

/** A running stand-in of the hub's API on 127.0.0.1. */
export interface HfHubStandIn {
  /** Base URL, for `HF_ENDPOINT` / `hubUrl`, e.g. `http://127.0.0.1:41234`. */
  url: string
  /** The repo's one commit id; `main` and this id are the revisions served. */
  commit: string
  /** Every request so far, in arrival order. */
  requests: HfHubRequest[]
  /** The next response carrying more than one byte of `path` sends `afterBytes` of its body, then drops the connection. */
  cutOffOnce(path: string, afterBytes: number): void
  /** The next response carrying more than one byte of `path` sends `afterBytes` of its body, then sends nothing more (until close). */
  stallOnce(path: string, afterBytes: number): void
  /** From now on `path` is served with one byte changed: same size, wrong content. */
  corrupt(path: string): void
  /** Resume ranges (starting past byte 0) get the whole file with 200, as from a server that ignores them. */
  ignoreResumeRanges(ignore?: boolean): void
  close(): Promise<void>
}
