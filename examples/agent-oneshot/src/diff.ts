import { SANDBOX_REPO_DIR, type Sandbox } from '@cooperbench/spec'

/** The model's reply holds nothing that reads as a unified diff. */
export class NoDiffFoundError extends Error {
  override readonly name = 'NoDiffFoundError'
  constructor() {
    super('the reply contains no unified diff: expected a ```diff fenced block with `--- a/<path>` and `+++ b/<path>` ' + 'headers followed by `@@` hunks')
  }
}

/** A line that opens or closes a fenced block: indentation, three or more backticks or tildes, an info string. */
const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/

/**
 * The unified diff in a model's reply, normalised for `git apply` (see {@link normalizeDiff}).
 * Fenced blocks whose content is a diff are taken, all of them, in order (models often write
 * one block per file); without any, the unfenced diff from its first header to its last diff
 * line. Throws {@link NoDiffFoundError} when there is none.
 */
export function extractDiff(reply: string): string {
  const blocks = fencedBlocks(reply.replace(/\r\n?/g, '\n')).filter(looksLikeDiff)
  if (blocks.length > 0) return blocks.map(normalizeDiff).join('')
  const unfenced = unfencedDiff(reply.replace(/\r\n?/g, '\n'))
  if (unfenced === null) throw new NoDiffFoundError()
  return normalizeDiff(unfenced)
}

/**
 * The contents of every fenced block, whatever its info string. An unclosed block runs to the
 * end. A block closes only at a fence indented like its opening one, so that a diff's context
 * line ` ```` (a Markdown file's own fence, after the diff's leading space) does not close it.
 */
export function fencedBlocks(text: string): string[] {
  const blocks: string[] = []
  let open: { indent: string; fence: string; lines: string[] } | null = null
  for (const line of text.split('\n')) {
    const fence = FENCE.exec(line)
    if (open === null) {
      if (fence) open = { indent: fence[1]!, fence: fence[2]!, lines: [] }
    } else if (fence && fence[1] === open.indent && fence[2]![0] === open.fence[0] && fence[2]!.length >= open.fence.length && fence[3] === '') {
      blocks.push(open.lines.join('\n'))
      open = null
    } else {
      open.lines.push(line)
    }
  }
  if (open !== null) blocks.push(open.lines.join('\n'))
  return blocks
}

/** A `diff --git` header, or a `--- ` line followed by a `+++ ` line. */
function looksLikeDiff(text: string): boolean {
  const lines = text.split('\n')
  return lines.some((line, i) => line.startsWith('diff --git ') || (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')))
}

const DIFF_LINE =
  /^(diff --git |index |--- |\+\+\+ |@@ |[ +\-\\]|new file mode|deleted file mode|old mode|new mode|similarity index|rename (from|to) |copy (from|to) |Binary files )/

/** From the first diff header to the last line that belongs to a diff; null when there is no header. */
function unfencedDiff(text: string): string | null {
  const lines = text.split('\n')
  const start = lines.findIndex((line, i) => line.startsWith('diff --git ') || (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')))
  if (start < 0) return null
  let end = lines.length
  while (end > start && !DIFF_LINE.test(lines[end - 1]!)) end -= 1
  return lines.slice(start, end).join('\n')
}

/**
 * Repairs what models commonly get wrong and `git apply` refuses: CRLF line ends, blank lines
 * inside hunks that lost their leading space, `---`/`+++` paths without the `a/`/`b/`
 * prefixes that `-p1` strips, and a missing final newline. Hunk line counts are left alone:
 * the diff is applied with `--recount`.
 */
export function normalizeDiff(diff: string): string {
  const lines = diff.replace(/\r\n?/g, '\n').split('\n')
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop()
  let inHunk = false
  const out = lines.map((line, i) => {
    if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) {
      inHunk = false
      return `--- ${withPrefix(line.slice(4), 'a/')}`
    }
    if (line.startsWith('+++ ') && (lines[i - 1] ?? '').startsWith('--- ')) return `+++ ${withPrefix(line.slice(4), 'b/')}`
    if (line.startsWith('diff --git ')) inHunk = false
    else if (line.startsWith('@@')) inHunk = true
    else if (inHunk && line === '') return ' '
    return line
  })
  return out.length === 0 ? '' : `${out.join('\n')}\n`
}

function withPrefix(path: string, prefix: 'a/' | 'b/'): string {
  if (path === '/dev/null' || path.startsWith('/dev/null\t') || path.startsWith(prefix) || path.startsWith('"')) return path
  return `${prefix}${path.replace(/^\.\//, '')}`
}

/** The files a normalised diff changes (new path, or old path when deleted), in order. */
export function diffPaths(diff: string): string[] {
  const paths = new Set<string>()
  const lines = diff.split('\n')
  for (const [i, line] of lines.entries()) {
    if (!line.startsWith('--- ') || !(lines[i + 1] ?? '').startsWith('+++ ')) continue
    const oldPath = markerPath(line.slice(4), 'a/')
    const newPath = markerPath(lines[i + 1]!.slice(4), 'b/')
    const path = newPath ?? oldPath
    if (path !== null) paths.add(path)
  }
  return [...paths]
}

function markerPath(value: string, prefix: string): string | null {
  const name = value.split('\t')[0]!.trim()
  if (name === '/dev/null') return null
  return name.startsWith(prefix) ? name.slice(prefix.length) : name
}

/** How a diff got into the repository. */
export type ApplyStrategy = 'git apply --recount' | 'git apply --3way' | 'patch -p1'

export type ApplyOutcome = { applied: true; strategy: ApplyStrategy; log: string[] } | { applied: false; error: string; log: string[] }

const APPLY_TIMEOUT_MS = 120_000
const ERROR_CHARS = 2_000

/**
 * Writes `diff` to `file` in the sandbox and applies it in `/workspace/repo`: `git apply
 * --recount --whitespace=nowarn` (checked first, so a failure changes nothing), else
 * `patch -p1` (dry run first; it tolerates shifted and fuzzy context), else `git apply --3way`
 * (which needs the blobs named by `index` lines). The last two run only when the working tree
 * was clean before, so that a half-applied attempt can be rolled back (`git reset --hard`,
 * `git clean -fd`) and the next attempt starts from the base again.
 *
 * Resolves `applied: false` with the errors the model should see; rejects when the sandbox
 * fails or `signal` fires.
 */
export async function applyDiff(sandbox: Sandbox, diff: string, file: string, signal: AbortSignal): Promise<ApplyOutcome> {
  const log: string[] = []
  const run = async (argv: string[]) => {
    const result = await sandbox.exec(argv, { cwd: SANDBOX_REPO_DIR, timeoutMs: APPLY_TIMEOUT_MS, signal })
    signal.throwIfAborted()
    const output = `${result.stdout}${result.stderr}`.trim()
    log.push(`$ ${argv.join(' ')} → exit ${result.exitCode}${output ? `\n${output}` : ''}`)
    return { ok: result.exitCode === 0, output }
  }
  await sandbox.writeFile(file, diff)

  const git = ['git', 'apply', '--recount', '--whitespace=nowarn']
  const check = await run([...git, '--check', file])
  if (check.ok) {
    const applied = await run([...git, file])
    if (applied.ok) return { applied: true, strategy: 'git apply --recount', log }
  }
  const errors = [`git apply: ${check.output || 'failed without a message'}`]
  const clean = (await run(['git', 'status', '--porcelain', '--untracked-files=all'])).output === ''
  if (clean) {
    const patch = ['patch', '-p1', '--batch', '--forward', '--no-backup-if-mismatch', '--reject-file=-']
    const dryRun = await run([...patch, '--dry-run', '-i', file])
    if (dryRun.ok) {
      if ((await run([...patch, '-i', file])).ok) return { applied: true, strategy: 'patch -p1', log }
      await rollBack(run)
    } else {
      errors.push(`patch -p1: ${dryRun.output || 'failed without a message'}`)
    }
    if ((await run([...git, '--3way', file])).ok) return { applied: true, strategy: 'git apply --3way', log }
    await rollBack(run)
  }
  const error = errors.join('\n')
  return { applied: false, error: error.length > ERROR_CHARS ? `${error.slice(0, ERROR_CHARS)}…` : error, log }
}

/** Back to the clean tree the attempt started from. */
async function rollBack(run: (argv: string[]) => Promise<{ ok: boolean }>): Promise<void> {
  await run(['git', 'reset', '-q', '--hard'])
  await run(['git', 'clean', '-fdq'])
}
