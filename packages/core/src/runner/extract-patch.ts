import type { PatchSource, Sandbox } from '@cooperbench/spec'
import { normalizeSubmittedPatch } from '@cooperbench/spec-utils/patch'

const PATCH_OUT = '/tmp/cooperbench-harness.patch'

/** A bigger patch (a data dump) is not read: the agent gets an empty patch, `patch_source: "too_large"` and its size; both features fail. */
export const MAX_PATCH_BYTES = 100 * 1024 * 1024

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
  const script = [
    'set -e',
    'cd /workspace/repo',
    'export GIT_INDEX_FILE=/tmp/cooperbench-harness.index',
    'rm -f "$GIT_INDEX_FILE"',
    'cp .git/index "$GIT_INDEX_FILE" 2>/dev/null || true',
    `git add -A -- . ':(exclude)patch.txt'`,
    `git diff --cached --binary --no-color --no-ext-diff ${baseCommit} -- . ':(exclude)patch.txt' > ${PATCH_OUT}`,
    'rm -f "$GIT_INDEX_FILE"',
    `echo "patch-bytes=$(wc -c < ${PATCH_OUT})"`,
  ].join('\n')
  try {
    const result = await sandbox.exec(script, { timeoutMs: 120_000 })
    if (result.exitCode === 0) {
      const bytes = Number(/patch-bytes=\s*(\d+)/.exec(result.stdout)?.[1] ?? 0)
      if (bytes > maxBytes) {
        await sandbox.exec(['rm', '-f', PATCH_OUT]).catch(() => {})
        return { patch: '', source: 'too_large', refusedBytes: bytes }
      }
      const patch = Buffer.from(await sandbox.readFile(PATCH_OUT)).toString('utf8')
      await sandbox.exec(['rm', '-f', PATCH_OUT]).catch(() => {})
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
