import { isTestPath, splitPatch } from '@cooperbench/spec-utils/patch'
import { applyGold, type GoldFeature, heredoc } from './gold-commands.js'
import { finalTurn, toolCall } from './turns.js'
import type { RecordedChatMessage, ScriptedTurn } from './types.js'

/** An agent of the `sequential` setting, as its task's "Working in turn" section describes it. */
export interface SequentialPlayer {
  /** An earlier agent's work is committed in its sandbox (one commit on the base). */
  fromEarlierWork: boolean
  /** The earlier agents' checks it must keep passing (`.cb_checks/f1.sh`). */
  earlierChecks: string[]
  /** The check it leaves; null without the guard. */
  ownCheck: string | null
}

/** The hand-off section in an agent's task; null when the task has none. */
export function sequentialPlayerOf(task: string): SequentialPlayer | null {
  if (!task.includes('## Working in turn')) return null
  return {
    fromEarlierWork: task.includes('handed its work over to you'),
    earlierChecks: [...task.matchAll(/^- `bash (\.cb_checks\/f\d+\.sh)`/gm)].map((m) => m[1]!),
    ownCheck: /write `(\.cb_checks\/f\d+\.sh)`/.exec(task)?.[1] ?? null,
  }
}

/**
 * The sequential setting played with the gold patches: the agent runs the earlier agents' checks,
 * applies its gold patch on top of the earlier work (when the two overlap, the task's combined
 * patch on the base, keeping the earlier checks), writes its own check and runs every check, then
 * submits. One command a step, so the hand-off reads step by step in its trajectory.
 */
export function sequentialTurn(player: SequentialPlayer, mine: GoldFeature[], messages: RecordedChatMessage[]): ScriptedTurn {
  const checks = [...player.earlierChecks, ...(player.ownCheck === null ? [] : [player.ownCheck])]
  const steps = [
    player.earlierChecks.length > 0 ? runChecks(player.earlierChecks) : null,
    player.fromEarlierWork && mine.length === 1 ? onEarlierWork(mine[0]!) : applyGold(mine),
    player.ownCheck === null ? null : `mkdir -p .cb_checks\n${heredoc(player.ownCheck, checkScript(mine[0]!))}\n${runChecks(checks)}`,
  ].filter((step) => step !== null)
  const done = messages.filter((m) => m.role === 'assistant').length
  return done < steps.length ? toolCall(steps[done]!) : finalTurn()
}

const runChecks = (files: string[]) => `for c in ${files.join(' ')}; do bash "$c" && echo "$c passed" || echo "$c FAILED"; done`

/** Its gold patch on the earlier work; if they overlap, the combined patch on the base commit (HEAD~1), the earlier checks kept. */
function onEarlierWork(feature: GoldFeature): string {
  return (
    `${heredoc('/tmp/gold.patch', feature.gold)}\n${heredoc('/tmp/combined.patch', feature.combined)}\n` +
    'git apply /tmp/gold.patch || (git read-tree -u --reset HEAD~1 && git clean -fdq && { git checkout HEAD -- .cb_checks 2>/dev/null || true; } ' +
    '&& git apply /tmp/combined.patch)\nrm -f /tmp/gold.patch /tmp/combined.patch'
  )
}

/** A check that the feature's change is in place: a line its gold patch adds to a source file (one the combined patch adds too, if any). */
function checkScript(feature: GoldFeature): string {
  const added = (patch: string) =>
    splitPatch(patch).flatMap((section) =>
      section.newPath === null || isTestPath(section.newPath)
        ? []
        : section.text
            .split('\n')
            .filter((line) => line.startsWith('+') && !line.startsWith('+++') && line.trim().length > 8)
            .map((line) => ({ file: section.newPath!, line: line.slice(1) })),
    )
  const inCombined = new Set(added(feature.combined).map((a) => `${a.file}\n${a.line}`))
  const candidates = added(feature.gold)
  const pick = candidates.find((a) => inCombined.has(`${a.file}\n${a.line}`)) ?? candidates[0]
  if (pick === undefined) return '#!/bin/bash\n# the feature adds no source line to look for\nexit 0'
  const quoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`
  const comment = `# a scripted stand-in for a real check: the feature's change to ${pick.file} is still there`
  return `#!/bin/bash\n${comment}\ngrep -qF -e ${quoted(pick.line)} ${quoted(pick.file)}`
}
