import { applyGold, type GoldFeature, goldPatchFiles, heredoc, textOf } from './gold-commands.js'
import { finalTurn, toolCall } from './turns.js'
import type { RecordedChatMessage, ScriptedTurn } from './types.js'

/**
 * The parts of the CAID example setting (examples/setting-caid) as its prompts say them: its
 * manager delegates each feature (`## Managing the team`), a worker applies its feature's gold patch
 * and pushes its branch (`## Your branch`), and the manager, called back (`## Integrating`), merges
 * the workers' branches, falling back to the task's combined patch when they conflict.
 */
export type CaidPart =
  | { part: 'manage'; features: number[] }
  | { part: 'work'; self: string; remote: string }
  | { part: 'integrate'; workers: string[]; remote: string }

export function caidPartOf(task: string, messages: RecordedChatMessage[]): CaidPart | null {
  const latest = textOf(messages.findLast((m) => m.role === 'user'))
  if (latest.includes('## Integrating')) {
    const workers = [...latest.matchAll(/^- ([\w.-]+): feature \d+/gm)].map((m) => m[1]!)
    return { part: 'integrate', workers, remote: /`git fetch ([\w.-]+)`/.exec(latest)?.[1] ?? 'team' }
  }
  if (task.includes('## Managing the team')) return { part: 'manage', features: [...task.matchAll(/^## Feature (\d+)$/gm)].map((m) => Number(m[1])) }
  const branch = /You work on branch `([\w.-]+)` of the shared git remote `([\w.-]+)`/.exec(task)
  return branch && task.includes('## Your branch') ? { part: 'work', self: branch[1]!, remote: branch[2]! } : null
}

/** The part's turn: its work in one command, then the submission. */
export function caidTurn(part: CaidPart, mine: GoldFeature[], messages: RecordedChatMessage[]): ScriptedTurn {
  // A manager called back continues its conversation: only the steps since it was called back count.
  const from = part.part === 'integrate' ? messages.findLastIndex((m) => m.role === 'user' && textOf(m).includes('## Integrating')) : 0
  const steps = messages.slice(from).filter((m) => m.role === 'assistant').length
  if (steps > 0) return finalTurn()
  if (part.part === 'manage') {
    const plan = heredoc('PLAN.md', `Plan: one worker per feature (${part.features.join(', ')}); each changes only its feature's lines.`)
    const delegations = part.features.map((id) => `delegate ${id} "Implement feature ${id}; change only the lines it needs."`)
    return toolCall([plan, ...delegations].join('\n'))
  }
  if (part.part === 'work') {
    const git = `git -c user.name=${part.self} -c user.email=${part.self}@cooperbench.invalid`
    return toolCall(`${applyGold(mine)}\ngit add -A && ${git} commit -qm "${part.self}: gold patch" && git push -q ${part.remote} HEAD:${part.self}`)
  }
  const combined = goldPatchFiles(mine).at(-1)!
  const git = 'git -c user.name=manager -c user.email=manager@cooperbench.invalid'
  const merges = part.workers.map((w) => `${git} merge -q --no-edit ${part.remote}/${w}`).join(' && ')
  return toolCall(
    [
      `git fetch -q ${part.remote}`,
      'start=$(git rev-parse HEAD)',
      `${merges || 'false'} || { git merge --abort 2>/dev/null; git reset -q --hard "$start"; ${heredoc(combined.path, combined.text)}`,
      `git apply ${combined.path}; }`,
    ].join('\n'),
  )
}
