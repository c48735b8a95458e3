import type { PatchSource, Sandbox } from '@cooperbench/spec'
import { normalizeSubmittedPatch } from '@cooperbench/spec-utils/patch'

const PATCH_OUT = '/tmp/cooperbench-harness.patch'

/** A bigger patch (a data dump) is not read: the agent gets an empty patch, `patch_source: "too_large"` and its size; both features fail. */
export const MAX_PATCH_BYTES = 100 * 1024 * 1024

/**
 * A patch up to this size comes back in the diff command's own output, base64 (ASCII, so no
 * backend's decoding of its output can alter a byte), and the script removes the file: one
 * command per seat instead of a command, a file read and a removal. On Docker a file read is an
 * archive, which costs the engine a process of its own; on Modal and GCP each is a round trip.
 * A bigger one or a sandbox without `base64`: the file is read as before; output that does not
 * decode to the patch's size (cut short, rewritten on the way): the diff is made again into the file.
 */
const MAX_INLINE_PATCH_BYTES = 1024 * 1024
const INLINE_MARK = 'patch-base64:'
/**
 * Room for the inlined patch (base64 is 4/3 of it, with a newline per 76 characters) and the lines
 * around it.
 */
const INLINE_OUTPUT_BYTES = Math.ceil((MAX_INLINE_PATCH_BYTES * 4) / 3 / 76) * 77 + 64 * 1024

/**
 * The agent's work diffed into PATCH_OUT, its size printed; inlined (and the file removed) when at
 * most `inlineLimit` bytes.
 */
function diffScript(baseCommit: string, inlineLimit: number): string {
  return [
    'set -e',
    'cd /workspace/repo',
    'export GIT_INDEX_FILE=/tmp/cooperbench-harness.index',
    'rm -f "$GIT_INDEX_FILE"',
    'cp .git/index "$GIT_INDEX_FILE" 2>/dev/null || true',
    `git add -A -- . ':(exclude)patch.txt'`,
    `git diff --cached --binary --no-color --no-ext-diff ${baseCommit} -- . ':(exclude)patch.txt' > ${PATCH_OUT}`,
    'rm -f "$GIT_INDEX_FILE"',
    `bytes=$(wc -c < ${PATCH_OUT} | tr -d ' ')`,
    'echo "patch-bytes=$bytes"',
    ...(inlineLimit > 0 ? inlinePatchLines(inlineLimit) : []),
  ].join('\n')
}

function patchBytes(stdout: string): number {
  return Number(/patch-bytes=\s*(\d+)/.exec(stdout)?.[1] ?? 0)
}

/**
 * Prints the patch after INLINE_MARK and removes its file when it is at most `limit` bytes and
 * `base64` exists; never fails the script.
 */
function inlinePatchLines(limit: number): string[] {
  return [
    `if [ "$bytes" -le ${limit} ] && command -v base64 >/dev/null 2>&1; then`,
    `  echo '${INLINE_MARK}'`,
    `  base64 < ${PATCH_OUT} && rm -f ${PATCH_OUT} || true`,
    'fi',
  ]
}

/**
 * The inlined patch, or null when it is not there whole: no mark, output cut short, or not `bytes`
 * long once decoded.
 */
function inlinedPatch(result: { stdout: string; truncated: boolean }, bytes: number): string | null {
  const at = result.stdout.indexOf(`${INLINE_MARK}\n`)
  if (at < 0 || result.truncated) return null
  const decoded = Buffer.from(result.stdout.slice(at + INLINE_MARK.length + 1), 'base64')
  return decoded.length === bytes ? decoded.toString('utf8') : null
}

export interface ExtractedPatch {
  patch: string
  source: PatchSource
  /** With source `too_large`: the size of the patch that was refused. */
  refusedBytes?: number
}

/**
 * The agent's work against the base commit (docs/reference-compatibility.md#running, fixed here): committed, staged, unstaged and
 * untracked non-ignored files, binary-safe, without `patch.txt`, via a private index; falls back to the agent's `patch.txt`.
 */
export async function extractPatch(sandbox: Sandbox, baseCommit: string, maxBytes: number = MAX_PATCH_BYTES): Promise<ExtractedPatch> {
  try {
    let result = await sandbox.exec(diffScript(baseCommit, Math.min(maxBytes, MAX_INLINE_PATCH_BYTES)), {
      timeoutMs: 120_000,
      maxOutputBytes: INLINE_OUTPUT_BYTES,
    })
    let bytes = patchBytes(result.stdout)
    let patch = result.exitCode === 0 ? inlinedPatch(result, bytes) : null
    // Printed but not whole (cut short, rewritten on the way): the script removed the file, so it
    // is written again, not inlined.
    if (result.exitCode === 0 && patch === null && result.stdout.includes(INLINE_MARK)) {
      result = await sandbox.exec(diffScript(baseCommit, 0), { timeoutMs: 120_000 })
      bytes = patchBytes(result.stdout)
    }
    if (result.exitCode === 0) {
      if (bytes > maxBytes) {
        await sandbox.exec(['rm', '-f', PATCH_OUT]).catch(() => {})
        return { patch: '', source: 'too_large', refusedBytes: bytes }
      }
      if (patch === null) {
        patch = Buffer.from(await sandbox.readFile(PATCH_OUT)).toString('utf8')
        await sandbox.exec(['rm', '-f', PATCH_OUT]).catch(() => {})
      }
      if (patch.trim() !== '') return { patch: patch.endsWith('\n') ? patch : `${patch}\n`, source: 'harness_diff' }
    }
  } catch {
    // the sandbox or .git may be gone: fall through to patch.txt
  }
  try {
    const size = await sandbox.exec(['sh', '-c', 'wc -c < /workspace/repo/patch.txt'], { timeoutMs: 30_000 })
    const bytes = Number(size.stdout.trim())
    if (size.exitCode === 0 && bytes > maxBytes) return { patch: '', source: 'too_large', refusedBytes: bytes }
    const text = Buffer.from(await sandbox.readFile('/workspace/repo/patch.txt')).toString('utf8')
    // Upstream 0.0.16's rule: only newlines trimmed, so a last blank context line (" \n") stays.
    const patch = normalizeSubmittedPatch(text)
    if (patch !== '') return { patch, source: 'agent_patch_file' }
  } catch {
    // no patch.txt either
  }
  return { patch: '', source: 'none' }
}
