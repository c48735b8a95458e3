import { posix } from 'node:path'
import { SANDBOX_REPO_DIR, type Sandbox } from '@cooperbench/spec'

/** Why a file was chosen: named by its path, by its file name, or by word overlap. */
export type MentionKind = 'path' | 'basename' | 'score'

export interface RankedFile {
  path: string
  kind: MentionKind
  score: number
}

export interface ContextFile {
  path: string
  content: string
  truncated: boolean
}

/** What the prompt shows of the repository. */
export interface RepoContext {
  /** Every tracked path. */
  paths: string[]
  /** The paths as the prompt lists them: as many as fit in a quarter of the budget. */
  listing: string
  files: ContextFile[]
  /** Bytes of the budget the file contents took (with their headers). */
  bytes: number
}

/** Files no model edits usefully: binaries, lock files, minified bundles. */
const SKIPPED =
  /\.(png|jpe?g|gif|bmp|ico|webp|pdf|zip|gz|tgz|bz2|xz|7z|jar|war|class|so|dylib|dll|exe|o|a|pyc|whl|woff2?|ttf|otf|eot|mp[34]|mov|avi|wasm|bin|dat|db|sqlite|min\.js|min\.css|map)$|(^|\/)(package-lock\.json|pnpm-lock\.yaml|yarn\.lock|Cargo\.lock|poetry\.lock|uv\.lock|Gemfile\.lock|composer\.lock|go\.sum)$/i

const STOP_WORDS = new Set(
  'the and for with that this from into when then than should must will would can could not are was were has have had its use uses used add adds added new make makes also each only more most other such what which while where who why how all any both few some same own very just but feature title description implement implementation function method class return returns value values file files code test tests'.split(
    ' ',
  ),
)

/**
 * Orders the repository's files by likely relevance to `description`: files whose path is
 * named (`src/calc.py`, or a tail of it such as `lib/calc.py`) first, then files whose name is
 * (`calc.py`), then the rest by how many of the description's words their path contains.
 * Binaries and lock files are left out.
 */
export function rankFiles(paths: readonly string[], description: string): RankedFile[] {
  const mentions = mentionedPaths(description)
  const words = descriptionWords(description)
  const ranked = paths
    .filter((path) => !SKIPPED.test(path))
    .map((path): RankedFile => {
      const base = posix.basename(path)
      const kind: MentionKind = mentions.some((m) => m.includes('/') && (path === m || path.endsWith(`/${m}`)))
        ? 'path'
        : mentions.includes(base)
          ? 'basename'
          : 'score'
      return { path, kind, score: wordScore(path, words) }
    })
  const tier: Record<MentionKind, number> = { path: 0, basename: 1, score: 2 }
  return ranked.sort((a, b) => tier[a.kind] - tier[b.kind] || b.score - a.score || a.path.length - b.path.length || a.path.localeCompare(b.path))
}

/** Path-like tokens of a text: `calc.py`, `src/calc.py`, `./lib/x.ts` (trailing punctuation dropped). */
export function mentionedPaths(text: string): string[] {
  const found = new Set<string>()
  for (const match of text.matchAll(/[\w.\-/]*[\w-]\/[\w.\-/]*\w|[\w.\-/]*\w\.\w+/g)) {
    found.add(match[0].replace(/^\.\//, '').replace(/^\/+/, ''))
  }
  return [...found]
}

function descriptionWords(text: string): Set<string> {
  return new Set(splitWords(text).filter((word) => word.length >= 3 && !STOP_WORDS.has(word)))
}

/** Lower-case words of identifiers and paths: `parseHTTPHeader_v2.py` → parse, http, header, v2, py. */
function splitWords(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
}

/** Description words found in the path; those of the file name count double. */
function wordScore(path: string, words: ReadonlySet<string>): number {
  const base = posix.basename(path)
  const baseWords = new Set(splitWords(base.replace(/\.[^.]+$/, '')))
  const dirWords = new Set(splitWords(posix.dirname(path)))
  let score = 0
  for (const word of words) {
    if (baseWords.has(word)) score += 2
    else if (dirWords.has(word)) score += 1
  }
  return score
}

/** How {@link packContext} reads a file: the repository-relative path's bytes. */
export type ReadRepoFile = (path: string) => Promise<Uint8Array>

const FILE_OVERHEAD = 16
/** Named files may be cut to fit; the rest is taken whole or not at all. */
const MIN_USEFUL_CUT = 400
/** Reading stops after this many files, so a huge repository costs a bounded number of reads. */
const MAX_READS = 200

/**
 * Takes files in ranked order while their contents fit in `budget` bytes. A file the
 * description names that does not fit whole is cut (and marked so); others that do not fit are
 * skipped in favour of smaller ones. Binary files (a NUL byte) and unreadable ones are skipped.
 */
export async function packContext(
  ranked: readonly RankedFile[],
  budget: number,
  read: ReadRepoFile,
  signal?: AbortSignal,
): Promise<{ files: ContextFile[]; bytes: number }> {
  const files: ContextFile[] = []
  let left = budget
  let reads = 0
  for (const file of ranked) {
    signal?.throwIfAborted()
    if (left < MIN_USEFUL_CUT || reads >= MAX_READS) break
    reads += 1
    let bytes: Uint8Array
    try {
      bytes = await read(file.path)
    } catch {
      continue
    }
    if (bytes.includes(0)) continue
    const cost = bytes.length + file.path.length + FILE_OVERHEAD
    if (cost <= left) {
      files.push({ path: file.path, content: new TextDecoder().decode(bytes), truncated: false })
      left -= cost
    } else if (file.kind !== 'score') {
      const keep = left - file.path.length - FILE_OVERHEAD
      if (keep < MIN_USEFUL_CUT) continue
      // Cut at a line end so the model never sees half a line as if it were whole.
      const text = new TextDecoder().decode(bytes.subarray(0, keep))
      const cut = text.lastIndexOf('\n') + 1 || text.length
      files.push({ path: file.path, content: text.slice(0, cut), truncated: true })
      left -= cut + file.path.length + FILE_OVERHEAD
    }
  }
  return { files, bytes: budget - left }
}

/** A quarter of the budget at most goes to the list of paths. */
const LISTING_SHARE = 0.25

/** The list of paths as the prompt shows it, cut to `maxBytes` with a count of the rest. */
export function listingOf(paths: readonly string[], maxBytes: number): string {
  const lines: string[] = []
  let bytes = 0
  for (const path of paths) {
    if (bytes + path.length + 1 > maxBytes) {
      lines.push(`… and ${paths.length - lines.length} more files`)
      break
    }
    lines.push(path)
    bytes += path.length + 1
  }
  return lines.join('\n')
}

/**
 * The repository context of a prompt, gathered in the sandbox: the tracked files
 * (`git ls-files`), and the contents of the most relevant ones within `budget` bytes (the
 * list of paths counts against it too).
 */
export async function gatherContext(sandbox: Sandbox, description: string, budget: number, signal: AbortSignal): Promise<RepoContext> {
  const listed = await sandbox.exec(['git', 'ls-files', '-z'], { cwd: SANDBOX_REPO_DIR, timeoutMs: 60_000, signal, maxOutputBytes: 16 * 1024 * 1024 })
  signal.throwIfAborted()
  if (listed.exitCode !== 0) throw new Error(`git ls-files failed in ${SANDBOX_REPO_DIR} (exit ${listed.exitCode}): ${listed.stderr.trim()}`)
  const paths = listed.stdout.split('\0').filter(Boolean)
  const listing = listingOf(paths, Math.floor(budget * LISTING_SHARE))
  const read = (path: string) => sandbox.readFile(`${SANDBOX_REPO_DIR}/${path}`)
  const { files, bytes } = await packContext(rankFiles(paths, description), budget - listing.length, read, signal)
  signal.throwIfAborted()
  return { paths, listing, files, bytes }
}
