import type { RecordedChatMessage } from './types.js'

/** One feature of the dataset as the scripted model knows it. */
export interface GoldFeature {
  spec: string
  gold: string
  /** The task's combined patch without its tests: what one agent doing every feature writes. */
  combined: string
}

const EOF_MARK = 'COOPERBENCH_GOLD_PATCH_EOF'

/** A command writing `text` to `path` through a quoted heredoc (no expansion). */
export const heredoc = (path: string, text: string) => `cat > ${path} <<'${EOF_MARK}'\n${text.endsWith('\n') ? text : `${text}\n`}${EOF_MARK}`

/** The commands that apply the features' gold patches (a solo agent with overlapping features falls back to the combined patch). */
export function applyGold(mine: GoldFeature[]): string {
  if (mine.length === 1) return `${heredoc('/tmp/gold.patch', mine[0]!.gold)}\ngit apply /tmp/gold.patch && rm /tmp/gold.patch`
  const each = mine.map((f, i) => heredoc(`/tmp/gold${i}.patch`, f.gold)).join('\n')
  const applyEach = mine.map((_, i) => `git apply /tmp/gold${i}.patch`).join(' && ')
  return (
    `${each}\n${heredoc('/tmp/combined.patch', mine[0]!.combined)}\n` +
    `(${applyEach}) || (git checkout -q -- . && git clean -fdq && git apply /tmp/combined.patch)\nrm -f /tmp/gold*.patch /tmp/combined.patch`
  )
}

/** The `command` of a bash tool call's JSON arguments; '' when there is none. */
export function commandOf(argumentsJson: string): string {
  try {
    const command = (JSON.parse(argumentsJson) as { command?: unknown }).command
    return typeof command === 'string' ? command : ''
  } catch {
    return ''
  }
}

/** A message's text, its parts joined. */
export function textOf(message: RecordedChatMessage | undefined): string {
  const content = message?.content
  if (typeof content === 'string') return content
  return (content ?? []).map((part) => part.text ?? '').join('\n')
}
