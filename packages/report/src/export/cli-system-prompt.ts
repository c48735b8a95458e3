/**
 * The system prompt a CLI agent's model was sent, read from the CLI's own session log that its trajectory keeps
 * (`extra.cli_session_logs` of the exit message): Claude Code's first `api-request-shape` (the `system` blocks of the
 * request, as sent), Codex's `session_meta` (its `base_instructions`). Null when no log has one (Qwen Code writes none).
 */
export function cliSystemPrompt(sessionLogs: unknown): string | null {
  if (sessionLogs === null || typeof sessionLogs !== 'object') return null
  for (const log of Object.values(sessionLogs)) {
    if (typeof log !== 'string') continue
    for (const line of log.split('\n')) {
      // Only the lines that can hold it are parsed: a session log is mostly the conversation again.
      if (!line.includes('"api-request-shape"') && !line.includes('"session_meta"')) continue
      const prompt = promptOf(parsed(line))
      if (prompt !== null) return prompt
    }
  }
  return null
}

type Entry = { type?: unknown; shape?: { system?: unknown }; payload?: { base_instructions?: { text?: unknown } } }

function promptOf(entry: Entry | null): string | null {
  if (entry?.type === 'api-request-shape' && Array.isArray(entry.shape?.system)) {
    const blocks = (entry.shape.system as Array<{ text?: unknown }>).flatMap((block) => (typeof block?.text === 'string' ? [block.text] : []))
    return blocks.length > 0 ? blocks.join('\n\n') : null
  }
  const instructions = entry?.type === 'session_meta' ? entry.payload?.base_instructions?.text : undefined
  return typeof instructions === 'string' && instructions !== '' ? instructions : null
}

function parsed(line: string): Entry | null {
  try {
    const value = JSON.parse(line) as unknown
    return value !== null && typeof value === 'object' ? (value as Entry) : null
  } catch {
    return null
  }
}
