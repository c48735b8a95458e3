import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadDataset } from '@cooperbench/dataset'
import { filterTestFiles, patchPaths } from '@cooperbench/spec-utils/patch'
import { caidPartOf, caidTurn } from './caid-play.js'
import { applyGold, commandOf, type GoldFeature, textOf } from './gold-commands.js'
import { offersSweAgentTools, sweAgentTurn } from './swe-agent-play.js'
import { isPlanner, writePlan } from './plan-play.js'
import { sequentialPlayerOf, sequentialTurn } from './sequential-play.js'
import { teamPlayerOf, teamPlayTurn } from './team-play.js'
import { finalTurn, SUBMIT_COMMAND, textTurn, toolCall } from './turns.js'
import type { LlmScript, RecordedChatMessage, RecordedTool, ScriptedTurn } from './types.js'

/**
 * A script that plays a mini-SWE-style agent solving any feature of a dataset with its gold patch:
 * it recognises the features by their `feature.md` text in the agent's task, applies their gold
 * patches with `git apply` (a solo agent with overlapping features applies the task's combined
 * patch instead), then submits; coop teammates first hold a short conversation (see `teammateTurn`);
 * a team (the `team` setting) plans, claims, shares patches and integrates (see `teamPlayTurn`); a
 * planner of the `plan-execute` example writes `plan.txt` instead of applying the patch, holding the
 * same conversation, and its executor, given that plan, applies it (see `writePlan`); an
 * agent of the `sequential` setting builds on the earlier work and keeps and leaves checks (see `sequentialTurn`); the CAID example's
 * manager delegates, its workers push branches and the manager merges them (see `caidTurn`). Under the
 * reference's protocol (an agent given the reference's `coop.yaml`/`solo.yaml`) it also writes
 * `patch.txt`, the patch that protocol evaluates, and holds no conversation. Given SWE-agent's tools
 * (`swe_agent`), it edits with `str_replace_editor` and submits twice (see `sweAgentTurn`). What `cooperbench dev model-server` serves, so an LLM agent can be
 * tried with no key and no network; also handy for tests of a whole run.
 */
export async function goldDatasetScript(datasetDir: string): Promise<LlmScript> {
  const features: GoldFeature[] = []
  for (const task of (await loadDataset(datasetDir)).tasks) {
    const combined = await combinedWithoutTests(
      task.dir,
      task.features.map((f) => f.dir),
    )
    for (const feature of task.features) {
      const spec = (await readFile(join(feature.dir, 'feature.md'), 'utf8')).trim()
      features.push({ spec, gold: await readFile(join(feature.dir, 'feature.patch'), 'utf8'), combined })
    }
  }
  return (request) => {
    // A request without tools is a summary of older turns (context compaction), not a step.
    if (!request.body.tools?.length) return textTurn('Summary: the gold patches are being applied.')
    const messages = request.body.messages
    const task = textOf(messages.find((m) => m.role === 'user'))
    const mine = features.filter((f) => task.includes(f.spec))
    if (mine.length === 0) return textTurn('This scripted model only knows the features of its dataset, and none is in this task.')
    // SWE-agent (`-a swe_agent` with upstream's bundles): its own tools, one call a reply.
    if (offersSweAgentTools(request.body.tools)) return sweAgentTurn(mine, messages, request.body.tools)
    const steps = messages.filter((m) => m.role === 'assistant').length
    // The reference's protocol (`--agent-config coop.yaml`): the evaluated patch is the patch.txt the agent writes.
    if (speaksReferenceProtocol(request.body.tools))
      return steps === 0 ? toolCall(`${applyGold(mine)}\n${WRITE_PATCH_FILE}`) : finalTurn({ command: `${SUBMIT_COMMAND} && cat patch.txt` })
    const caid = caidPartOf(task, messages)
    if (caid !== null) return caidTurn(caid, mine, messages)
    const player = teamPlayerOf(task)
    if (player !== null) return teamPlayTurn(player, mine, messages)
    const inTurn = sequentialPlayerOf(task)
    if (inTurn !== null) return sequentialTurn(inTurn, mine, messages)
    const files = [...new Set(mine.flatMap((f) => patchPaths(f.gold)))]
    const work = isPlanner(task) ? writePlan(mine, files) : applyGold(mine)
    const team = teamOf(task)
    if (team === null) return steps === 0 ? toolCall(work) : finalTurn()
    return teammateTurn(team, work, files, messages)
  }
}

/**
 * Whether the agent declares the reference's bash tool (mini_swe_agent_v2 of upstream 0.0.14,
 * word for word): it then runs the reference's protocol, in which only the `patch.txt` the agent
 * writes is evaluated, whatever the configuration's templates say. No conversation is held there.
 */
function speaksReferenceProtocol(tools: RecordedTool[] | undefined): boolean {
  return (tools ?? []).some((tool) => tool.function?.name === 'bash' && tool.function.description === 'Execute a bash command')
}

/**
 * The working tree's changes, new files included (intent-to-add), as the patch.txt the reference
 * evaluates (0.0.14 on); the submit command prints it after the marker too, which is what its
 * 0.0.12–0.0.13 files evaluate.
 */
const WRITE_PATCH_FILE = 'git add -A -N && git diff > patch.txt'

/** Who this agent is in its team, as its task says, and what the team may use to coordinate. */
interface Team {
  self: string
  peers: string[]
  messaging: boolean
  /** The shared git remote's name (`team`), when the run has one. */
  remote: string | null
}

/** The team section of a coop agent's task (the prompt of `cooperbench-v1`); null for a solo agent. */
function teamOf(task: string): Team | null {
  const self = /You are \*\*([\w.-]+)\*\*\./.exec(task)?.[1]
  // The line naming them in bold: a task may say `Your teammates are …` elsewhere too (a planner's does).
  const mates = /Your teammates? (?:is|are) (\*\*[^\n]*)/.exec(task)?.[1]
  if (self === undefined || mates === undefined) return null
  const peers = [...mates.matchAll(/\*\*([\w.-]+)\*\*/g)].map((m) => m[1]!)
  const remote = /A shared git remote, `([\w.-]+)`/.exec(task)?.[1] ?? null
  return { self, peers, messaging: task.includes('## Messaging'), remote }
}

/** How many one-second waits the replier spends, at most, for the question before submitting without it. */
const QUESTION_WAITS = 90

/**
 * A short conversation around the gold patches, so that messages, `Agent 1 → Agent 2` lines and
 * `analyze`'s signals can be seen offline. The first agent of the team (by id) does its `work`
 * (applies its patch, or writes its plan), commits and pushes it when there is a shared remote,
 * then asks the second a question about the `files` it changes and waits for the reply; the second
 * does its work, waits for the question, fetches the asker's branch and answers; then both submit.
 * Any other teammate does its work and submits.
 */
function teammateTurn(team: Team, work: string, files: string[], messages: RecordedChatMessage[]): ScriptedTurn {
  const commands = messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => commandOf(c.function.arguments)) : []))
  const steps = commands.length
  const [asker, replier] = [team.self, ...team.peers].sort()
  const remote = team.remote
  if (team.self === asker) {
    if (steps === 0) return toolCall(remote === null ? work : `${work}\n${commitAndPush(team.self, remote)}`)
    if (steps === 1 && team.messaging && replier !== undefined) {
      const question = `Hi ${replier}, I am ${team.self}: my feature changes ${listed(files)}. Which files does yours change, so that we do not edit the same lines?`
      return toolCall(`send_message --wait ${replier} <<'MSG'\n${question}\nMSG`)
    }
    return finalTurn()
  }
  if (team.self !== replier || asker === undefined) return steps === 0 ? toolCall(work) : finalTurn()
  if (steps === 0) return toolCall(work)
  const look = remote === null ? '' : `git fetch -q ${remote} && git log --oneline ${remote}/${asker}`
  if (!team.messaging) return steps === 1 && look !== '' ? toolCall(look) : finalTurn()
  if (commands.some((c) => c.includes('send_message'))) return finalTurn()
  // A delivered message is a user message of its own; the task's Messaging section only shows the form.
  const asked = messages.some((m) => m.role === 'user' && textOf(m).startsWith(`[Message from ${asker}]`))
  if (asked) {
    const reply = `Thanks ${asker}. Mine changes ${listed(files)}; I keep to my feature's lines there, so our changes should merge cleanly.`
    return toolCall(`send_message ${asker} <<'MSG'\n${reply}\nMSG${look === '' ? '' : `\n${look}`}`)
  }
  return commands.filter((c) => c === 'sleep 1').length < QUESTION_WAITS ? toolCall('sleep 1') : finalTurn()
}

/** Shares the agent's progress on the team remote, as its prompt allows: commit, then push its own branch. */
function commitAndPush(agent: string, remote: string): string {
  return `git add -A && git -c user.name=${agent} -c user.email=${agent}@cooperbench.invalid commit -qm "${agent}: gold patch" && git push -q ${remote} HEAD:${agent}`
}

const listed = (files: string[]) => (files.length === 0 ? 'no file' : files.join(', '))

async function combinedWithoutTests(taskDir: string, featureDirs: string[]): Promise<string> {
  const combined = await readFile(join(taskDir, 'combined.patch'), 'utf8').catch(() => '')
  const testPaths: string[] = []
  for (const dir of featureDirs) testPaths.push(...patchPaths(await readFile(join(dir, 'tests.patch'), 'utf8').catch(() => '')))
  return filterTestFiles(combined, testPaths).patch
}
