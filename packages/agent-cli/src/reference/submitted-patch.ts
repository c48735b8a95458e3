import { SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { normalizeSubmittedPatch, universalNewlines } from '@cooperbench/spec-utils/patch'

/** Where the reference's Claude Code prompt asks for the final diff, and where it reads it. */
export const REFERENCE_PATCH_FILE = `${SANDBOX_REPO_DIR}/patch.txt`

/**
 * The patch the reference takes from `patch.txt`'s bytes: it reads the file through a text-mode
 * subprocess (UTF-8, bad bytes replaced, `\r\n` and `\r` turned into `\n`) and normalises it as
 * upstream 0.0.16 does (only newlines trimmed; 0.0.14's whitespace strip ate a last blank context
 * line). A byte order mark is kept, as Python keeps it.
 */
export function referencePatchText(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
  return normalizeSubmittedPatch(universalNewlines(text))
}
