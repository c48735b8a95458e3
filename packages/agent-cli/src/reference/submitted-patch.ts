import { SANDBOX_REPO_DIR } from '@cooperbench/spec'

/** Where the reference's Claude Code prompt asks for the final diff, and where it reads it. */
export const REFERENCE_PATCH_FILE = `${SANDBOX_REPO_DIR}/patch.txt`

/** The characters Python's `str.strip()` removes (`str.isspace()`), which differ from JavaScript's `trim()`. */
const PYTHON_SPACE = /^[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/

function pythonStrip(text: string): string {
  let start = 0
  let end = text.length
  // Every character of the set is one UTF-16 unit, so the ends are walked unit by unit.
  while (start < end && PYTHON_SPACE.test(text[start]!)) start += 1
  while (end > start && PYTHON_SPACE.test(text[end - 1]!)) end -= 1
  return text.slice(start, end)
}

/**
 * The patch the reference takes from `patch.txt`'s bytes: it reads the file through a text-mode
 * subprocess (UTF-8, bad bytes replaced, `\r\n` and `\r` turned into `\n`) and strips it with
 * Python's `str.strip()`. A byte order mark is kept, as Python keeps it.
 */
export function referencePatchText(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
  return pythonStrip(text.replaceAll('\r\n', '\n').replaceAll('\r', '\n'))
}
