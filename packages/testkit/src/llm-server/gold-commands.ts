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

/** The files of the features' gold patches (a solo agent with several features also gets the combined patch). */
export function goldPatchFiles(mine: GoldFeature[]): Array<{ path: string; text: string }> {
  if (mine.length === 1) return [{ path: '/tmp/gold.patch', text: mine[0]!.gold }]
  return [...mine.map((f, i) => ({ path: `/tmp/gold${i}.patch`, text: f.gold })), { path: '/tmp/combined.patch', text: mine[0]!.combined }]
}

/** The command applying {@link goldPatchFiles}: each feature's patch, or the combined patch when they overlap. */
export function applyGoldPatchFiles(mine: GoldFeature[]): string {
  if (mine.length === 1) return 'git apply /tmp/gold.patch && rm /tmp/gold.patch'
  const applyEach = mine.map((_, i) => `git apply /tmp/gold${i}.patch`).join(' && ')
  return `(${applyEach}) || (git checkout -q -- . && git clean -fdq && git apply /tmp/combined.patch)\nrm -f /tmp/gold*.patch /tmp/combined.patch`
}

/** The commands that write and apply the features' gold patches. */
export function applyGold(mine: GoldFeature[]): string {
  return [...goldPatchFiles(mine).map((f) => heredoc(f.path, f.text)), applyGoldPatchFiles(mine)].join('\n')
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
