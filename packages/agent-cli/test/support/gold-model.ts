import type { ScriptedTurn } from '@cooperbench/testkit'
import { combinedWithoutTests, type FeatureRef } from '../../../cli/test/e2e/gold-features.js'

/**
 * Writes `patch` to `path` through base64: Claude Code rewrites `\uXXXX` escapes in a Bash
 * command's text into the characters (a patch of a line holding `"\u2019"` then no longer applies).
 */
const writePatch = (path: string, patch: string) => `echo ${Buffer.from(patch, 'utf8').toString('base64')} | base64 -d > ${path}`

/**
 * Both features' gold patches one after the other, else (when they overlap) the task's combined
 * patch: what the oracle's solo run applies, so the verdicts are the committed ones.
 */
async function soloApply(a: FeatureRef, b: FeatureRef): Promise<string> {
  const files = ['/tmp/a.patch', '/tmp/b.patch', '/tmp/c.patch']
  const written = [a.gold, b.gold, await combinedWithoutTests(a.task)].map((patch, i) => writePatch(files[i]!, patch)).join(' && ')
  // Without `rm -f`, `git clean -f` or `git checkout -- .`: Codex refuses such commands. `git apply`
  // changes nothing when it fails, so a failed second patch leaves the first to reverse.
  return `${written} && git apply /tmp/a.patch && { git apply /tmp/b.patch || { git apply -R /tmp/a.patch && git apply /tmp/c.patch; }; } && rm ${files.join(' ')}`
}

/** How a CLI's model asks for a shell command (each profile's: shell-calls.ts). */
export type ShellCall = (command: string) => ScriptedTurn

/** What the scripted model sees of a request: the texts of its messages and the assistant turns so far. */
export interface ModelView {
  texts: string[]
  assistantTurns: number
}

/**
 * A scripted model playing a CLI agent that solves demo features with their gold patches: which
 * feature(s) from the task text, which step from the assistant turns so far. In coop it messages
 * its teammate, applies its patch, with `--git` pushes its work and fetches the teammate's, reads
 * its messages once the teammate's is there, then ends with a text answer; in solo it applies both features.
 */
export function goldCliModel(features: FeatureRef[], shell: ShellCall) {
  return async (view: ModelView): Promise<ScriptedTurn> => {
    const task = view.texts.join('\n')
    const mine = features.filter((f) => task.includes(f.spec))
    const team = /You are (agent\d+)\. Your teammate is (agent\d+)\./.exec(task)
    const git = task.includes('Shared git remote')
    let plan: ScriptedTurn[]
    if (team && mine.length === 1) {
      const [, me, peer] = team
      plan = [
        shell(`send_message ${peer} "${me} here: I am implementing feature ${mine[0]!.id}, I will not touch your files."`),
        shell(`${writePatch('/tmp/gold.patch', mine[0]!.gold)} && git apply /tmp/gold.patch && rm /tmp/gold.patch`),
        ...(git ? [shell(`git push -q team HEAD:refs/heads/${me} && git fetch -q team && git branch -r`)] : []),
        // Reads until the teammate's message is there (its relay polls, a docker exec under load can
        // take seconds), not after a fixed sleep. At most 25 tries a second apart: the whole loop is
        // one tool call, which each CLI bounds itself (Claude Code's Bash at 2 minutes; Codex's
        // exec_command answers after its yield time, at most 30 s, with what was printed so far).
        shell('for i in $(seq 25); do out=$(check_messages); case "$out" in *"[Message from"*) break ;; esac; sleep 1; done; printf \'%s\\n\' "$out"'),
        { content: 'My feature is implemented.' },
      ]
    } else if (!team && mine.length === 2) {
      plan = [shell(await soloApply(mine[0]!, mine[1]!)), { content: 'Both features are implemented.' }]
    } else {
      plan = [{ content: `cannot tell which feature this is (${mine.length} matched)` }]
    }
    return plan[Math.min(view.assistantTurns, plan.length - 1)]!
  }
}
