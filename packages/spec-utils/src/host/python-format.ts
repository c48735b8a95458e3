import { CooperbenchError } from '@cooperbench/spec'

/** One piece of a parsed format string: literal text, or a named field. */
export type PythonFormatPiece = { text: string } | { field: string }

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Parses a Python format string with plain names only (`{name}`, `{{`, `}}`), as the reference builds its Claude Code and team prompts.
 * Any other field (an index, an attribute, `!r`, `:>10`, empty or positional) or an unpaired `{`/`}` is refused, named: never a silently
 * different prompt.
 */
export function parsePythonFormat(source: string, where: string): PythonFormatPiece[] {
  const pieces: PythonFormatPiece[] = []
  let text = ''
  let i = 0
  while (i < source.length) {
    const char = source[i]!
    if (char === '{' && source[i + 1] === '{') {
      text += '{'
      i += 2
    } else if (char === '}' && source[i + 1] === '}') {
      text += '}'
      i += 2
    } else if (char === '}') {
      throw formatError(where, `a single '}' at offset ${i} (write '}}' for a literal brace)`)
    } else if (char === '{') {
      const end = source.indexOf('}', i + 1)
      if (end < 0) throw formatError(where, `a '{' at offset ${i} that is never closed (write '{{' for a literal brace)`)
      const field = source.slice(i + 1, end)
      if (!NAME.test(field)) throw formatError(where, `the field {${field}} (only plain names like {agent_id} are supported)`)
      if (text !== '') pieces.push({ text })
      text = ''
      pieces.push({ field })
      i = end + 1
    } else {
      text += char
      i += 1
    }
  }
  if (text !== '') pieces.push({ text })
  return pieces
}

/** `str.format(**values)` of a parsed format string; every field must have a value. */
export function formatPieces(pieces: readonly PythonFormatPiece[], values: Readonly<Record<string, string>>, where: string): string {
  return pieces
    .map((piece) => {
      if ('text' in piece) return piece.text
      const value = values[piece.field]
      if (value === undefined) throw formatError(where, `the unknown field {${piece.field}} (known: ${Object.keys(values).join(', ')})`)
      return value
    })
    .join('')
}

function formatError(where: string, what: string): CooperbenchError {
  return new CooperbenchError('CONFIG_INVALID', `${where} cannot be rendered: it has ${what}`, {
    hint: 'Fields are Python format fields as in the reference’s f-strings, plain names in braces ({agent_id}); a literal brace is written twice',
  })
}
