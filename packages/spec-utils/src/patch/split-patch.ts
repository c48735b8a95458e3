/** One file section of a unified git diff. */
export interface PatchSection {
  /** The `diff --git …` line without its line terminator; `''` for text before the first header. */
  header: string
  /** Path before the change (no `a/` prefix); `null` for a new file or the preamble. */
  oldPath: string | null
  /** Path after the change (no `b/` prefix); `null` for a deleted file or the preamble. */
  newPath: string | null
  /** The section's exact bytes, header and final line terminator included. */
  text: string
}

const HEADER = 'diff --git '

/**
 * Splits a unified git diff into file sections at lines starting `diff --git `; text before the first (a commit message, blank lines) is
 * a section with an empty header and no paths, so the sections' `text` joined is the input byte for byte.
 */
export function splitPatch(patch: string): PatchSection[] {
  const starts: number[] = []
  // Scan line starts by hand: a multiline regex `^` would also split after a bare `\r`.
  for (let i = 0; i < patch.length; i = patch.indexOf('\n', i) + 1 || patch.length) {
    if (patch.startsWith(HEADER, i)) starts.push(i)
  }
  const sections: PatchSection[] = []
  if ((starts[0] ?? patch.length) > 0) {
    sections.push({ header: '', oldPath: null, newPath: null, text: patch.slice(0, starts[0]) })
  }
  starts.forEach((start, k) => {
    const text = patch.slice(start, starts[k + 1])
    sections.push({ ...sectionPaths(text), text })
  })
  return sections
}

/** All distinct paths (old and new) a patch touches, in order of appearance; `/dev/null` excluded. */
export function patchPaths(patch: string): string[] {
  const paths = new Set<string>()
  for (const s of splitPatch(patch)) {
    if (s.oldPath !== null) paths.add(s.oldPath)
    if (s.newPath !== null) paths.add(s.newPath)
  }
  return [...paths]
}

function sectionPaths(text: string): Omit<PatchSection, 'text'> {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''))
  const header = lines[0]!
  let [oldPath, newPath] = headerPaths(header.slice(HEADER.length))
  let isNew = false
  let isDeleted = false
  // Only the extended header lines carry paths; inside hunks, a removed line `-- a/x` would look like `--- a/x`.
  for (const line of lines.slice(1)) {
    if (line.startsWith('@@') || line.startsWith('GIT binary patch') || line.startsWith('Binary files ')) break
    if (line.startsWith('new file mode')) isNew = true
    else if (line.startsWith('deleted file mode')) isDeleted = true
    else if (/^(?:rename|copy) from /.test(line)) oldPath = unquote(line.replace(/^\S+ from /, ''))
    else if (/^(?:rename|copy) to /.test(line)) newPath = unquote(line.replace(/^\S+ to /, ''))
    else if (line.startsWith('--- ')) oldPath = markerPath(line.slice(4), 'a/')
    else if (line.startsWith('+++ ')) newPath = markerPath(line.slice(4), 'b/')
  }
  return { header, oldPath: isNew ? null : oldPath, newPath: isDeleted ? null : newPath }
}

/** Paths of the `diff --git` header line: `a/X b/Y`, either side possibly C-quoted. */
function headerPaths(rest: string): [string | null, string | null] {
  const paths = (a: string, b: string): [string, string] => [stripPrefix(a, 'a/'), stripPrefix(b, 'b/')]
  if (rest.startsWith('"')) {
    const [a, end] = readQuoted(rest, 0)
    return paths(a, unquote(rest.slice(end).trimStart()))
  }
  const quotedB = rest.indexOf(' "')
  if (quotedB >= 0 && rest.endsWith('"')) return paths(rest.slice(0, quotedB), unquote(rest.slice(quotedB + 1)))
  return paths(...splitUnquoted(rest))
}

// Unquoted names may hold spaces (`a/x y b/x y` is ambiguous): as git, prefer the split into equal names (every non-rename).
function splitUnquoted(rest: string): [string, string] {
  const mid = (rest.length - 1) / 2
  if (Number.isInteger(mid) && rest[mid] === ' ') {
    const a = rest.slice(0, mid)
    const b = rest.slice(mid + 1)
    if (stripPrefix(a, 'a/') === stripPrefix(b, 'b/')) return [a, b]
  }
  const sep = rest.indexOf(' b/')
  if (sep >= 0) return [rest.slice(0, sep), rest.slice(sep + 1)]
  const space = rest.indexOf(' ')
  return space >= 0 ? [rest.slice(0, space), rest.slice(space + 1)] : [rest, rest]
}

function markerPath(value: string, prefix: string): string | null {
  // git appends a tab after unquoted names that contain spaces (and diff(1) a timestamp).
  const name = value.startsWith('"') ? unquote(value) : value.split('\t')[0]!
  return name === '/dev/null' ? null : stripPrefix(name, prefix)
}

function stripPrefix(path: string, prefix: string): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path
}

function unquote(value: string): string {
  return value.startsWith('"') ? readQuoted(value, 0)[0] : value
}

const UTF8 = new TextEncoder()
const ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 }

/** Reads a git C-quoted name starting at `start` (a `"`); octal escapes are UTF-8 bytes. */
function readQuoted(text: string, start: number): [string, number] {
  const bytes: number[] = []
  let i = start + 1
  while (i < text.length && text[i] !== '"') {
    const c = text[i]!
    if (c === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!
      const octal = /^[0-7]{3}/.exec(text.slice(i + 1, i + 4))
      if (octal) {
        bytes.push(parseInt(octal[0], 8))
        i += 4
        continue
      }
      const code = ESCAPES[next]
      bytes.push(...(code === undefined ? UTF8.encode(next) : [code]))
      i += 2
    } else {
      const char = String.fromCodePoint(text.codePointAt(i)!)
      bytes.push(...UTF8.encode(char))
      i += char.length
    }
  }
  return [new TextDecoder().decode(new Uint8Array(bytes)), i + 1]
}
