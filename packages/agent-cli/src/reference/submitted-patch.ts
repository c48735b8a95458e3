import { SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { normalizeSubmittedPatch, universalNewlines } from '@cooperbench/spec-utils/patch'

/** Where the reference's Claude Code prompt asks for the final diff, and where it reads it. */
export const REFERENCE_PATCH_FILE = `${SANDBOX_REPO_DIR}/patch.txt`

/**
 * The patch the reference takes from `patch.txt`: read in text mode (UTF-8, bad bytes replaced, universal newlines, a BOM
 * kept), normalised as upstream 0.0.16 (only newlines trimmed; 0.0.14's whitespace strip ate a last blank context line).
 */
export function referencePatchText(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
  return normalizeSubmittedPatch(universalNewlines(text))
}
