import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Sandbox, SeatCoordination } from '@cooperbench/core'
import { TEAM_SCRATCHPAD_DIR, type TaskList, type TeamFeatures } from '@cooperbench/setting-team'
import { type AgentCheckSetup, type AgentRunRecord, runAgentOnFixture, type TeamScriptFacts, violation } from './agent-run.js'
import { checkSubmitted } from './agent-result-checks.js'
import { requestTexts } from './request-texts.js'
import { openTestTeam } from './test-team.js'

/** What a team check saw. */
export interface TeamOutcome {
  run: AgentRunRecord
  features: TeamFeatures
  /** The seat's status (the `[Team task list]` summary) as the agent could read it at its start; '' without auto_refresh. */
  summary: string
}

export interface TeamCheckOptions {
  /** The seat the agent takes: `lead` (agent1, default) or `member` (agent2). */
  role?: 'lead' | 'member'
  /** The features as the setting records them (the rest on): `{ task_list: false }` is upstream's arm. */
  features?: Partial<TeamFeatures>
  autoRefresh?: boolean
  waitForMessage?: boolean
  /** The agent (or its script) plays the protocol: check that it does its part. */
  protocol?: boolean
  /**
   * Upstream's team template file (`--team-prompt-template`), read as the team setting reads it, so that an agent following
   * upstream's prompts gets `briefing.upstream`; its words are upstream's, and never count as naming a feature that is off.
   */
  promptTemplate?: string
}

/** Words that name a feature: a prompt of a run without it must contain none. */
const NAMES = { commands: ['coop-task-'], scratchpad: [TEAM_SCRATCHPAD_DIR], mcp: ['wait_for_message'], auto_refresh: ['[Team task list]'] }

/** The simulated member's work, a file of its own: what the lead finds in the scratchpad. */
const MEMBER_PATCH = 'diff --git a/MEMBER.md b/MEMBER.md\nnew file mode 100644\n--- /dev/null\n+++ b/MEMBER.md\n@@ -0,0 +1 @@\n+written by agent2\n'

/**
 * Runs the agent in the `team` setting as a team run does, with the team setting's own session:
 * the list seeded (agent1 the lead, agent2 the member), the seat's coordination surface served
 * (its commands installed in its sandbox and answered as its agent, the scratchpad mounted
 * through `createSandbox`'s `sharedDirs` with the mirror kept, its status and briefing). The agent
 * takes one seat; its teammate is played by the check (as the lead's member, it has done its task
 * and left its patch before the lead starts). Always: it submits, and nothing it showed its model
 * names a feature it does not have (upstream's own block aside). With `protocol`, it does its
 * part: a member's task is `done` and its patch is in the scratchpad; the lead's task is `done`
 * and its changes hold the member's patch.
 */
export async function checkTeamRun(setup: AgentCheckSetup, options: TeamCheckOptions = {}): Promise<TeamOutcome> {
  const role = options.role ?? 'lead'
  const [me, mate] = role === 'lead' ? ['agent1', 'agent2'] : ['agent2', 'agent1']
  // The agent implements the fixture's feature 1; its teammate another one. The lead's seat comes first.
  const seats =
    role === 'lead'
      ? [
          { agentId: me, featureId: 1 },
          { agentId: mate, featureId: 2 },
        ]
      : [
          { agentId: mate, featureId: 2 },
          { agentId: me, featureId: 1 },
        ]
  const team = await openTestTeam({
    task: setup.fixture.task,
    seats,
    ...(options.features ? { features: options.features } : {}),
    ...(options.promptTemplate === undefined ? {} : { promptTemplate: options.promptTemplate }),
  })
  try {
    const { features, scratchpad } = team
    const coordination = team.coordination(me, true)
    const list = features.task_list ? team.list : null
    const own = list ? ((await list.list({ owner: me }))[0] ?? null) : null
    if (role === 'lead') await playMember(list, scratchpad)
    const summary = (await coordination.status?.()) ?? ''
    const script: TeamScriptFacts = {
      role,
      agentId: me,
      taskId: own?.id ?? null,
      scratchpad: scratchpad && TEAM_SCRATCHPAD_DIR,
      combinedPatch: `${setup.fixture.featurePatch}${MEMBER_PATCH}`,
    }
    let elsewhere: string | null = null
    const mailbox = await team.bus.open(`run:${team.runId}`, me, [mate])
    let run: AgentRunRecord
    try {
      run = await runAgentOnFixture(setup, {
        agentId: me,
        mailbox,
        coordination,
        script,
        inspect: async (sandbox) => {
          if (role === 'member' && options.protocol && scratchpad) elsewhere = await misplacedPatch(sandbox, me)
        },
      })
    } finally {
      await mailbox.finish()
      await mailbox.close()
    }
    checkSubmitted(run, `run in the team setting as the ${role} (${describeFeatures(features)})`)
    checkNaming(setup, run, features, options, { coordination, summary })
    if (options.protocol) await checkPart(role, me, { list, ownId: own?.id ?? null, scratchpad, run, elsewhere })
    await team.finish()
    return { run, features, summary }
  } finally {
    await team.close()
  }
}

/** The member as the lead's teammate: its task claimed and done, its patch in the scratchpad, before the lead starts. */
async function playMember(list: TaskList | null, scratchpad: string | null): Promise<void> {
  if (scratchpad) await writeFile(join(scratchpad, 'agent2.patch'), MEMBER_PATCH)
  const task = list ? (await list.list({ owner: 'agent2' }))[0] : undefined
  if (!list || !task) return
  await list.claim(task.id, 'agent2')
  await list.update(task.id, 'agent2', 'done', scratchpad ? 'patch at /workspace/shared/agent2.patch' : 'done')
}

/**
 * Nothing the agent showed its model names what its team does not have (upstream's block aside: its words are upstream's, kept
 * byte for byte); what it must name, it names.
 */
function checkNaming(
  setup: AgentCheckSetup,
  run: AgentRunRecord,
  features: TeamFeatures,
  options: TeamCheckOptions,
  seat: { coordination: SeatCoordination; summary: string },
): void {
  const upstream = seat.coordination.briefing?.upstream ?? null
  const withoutUpstream = (text: string) => (upstream ? text.replaceAll(upstream, '').replaceAll(JSON.stringify(upstream).slice(1, -1), '') : text)
  const shown = setup.script ? run.requests.map((r) => requestTexts(r.body).join('\n')) : [JSON.stringify([run.result?.messages ?? [], run.recorder.saves])]
  const seen = shown.map(withoutUpstream)
  // The task commands are there with the seeded list or the protocol on, as upstream installed its helper.
  const commands = (seat.coordination.tools ?? []).some((tool) => tool.name.startsWith('coop-task-'))
  const without: Array<[string, string[]]> = [
    ...(commands ? [] : [['without the task commands (task_list and protocol off)', NAMES.commands] as [string, string[]]]),
    ...(['scratchpad', 'mcp', 'auto_refresh'] as const)
      .filter((name) => !features[name])
      .map((name) => [`with ${name} off`, NAMES[name]] as [string, string[]]),
  ]
  for (const [what, words] of without) {
    for (const word of words) {
      if (seen.some((text) => text.includes(word)))
        violation(`${what}, what the agent showed its model still names it (${JSON.stringify(word)}): a prompt must not mention what the team does not have`)
    }
  }
  if (options.waitForMessage && features.mcp && !shown.some((text) => text.includes('wait_for_message'))) {
    violation('with mcp on, what the agent showed its model never names its wait_for_message tool')
  }
  if (options.autoRefresh && features.auto_refresh && seat.summary !== '' && setup.script) {
    const missing = shown.findIndex((text) => !text.includes('[Team task list]'))
    if (missing >= 0)
      violation(`model request ${missing + 1} of ${shown.length} does not carry the task list's [Team task list] summary (ctx.coordination.status)`)
  }
}

/** The agent's part of the protocol, each fault named. */
async function checkPart(
  role: 'lead' | 'member',
  me: string,
  facts: {
    list: TaskList | null
    ownId: string | null
    scratchpad: string | null
    run: AgentRunRecord
    elsewhere: string | null
  },
): Promise<void> {
  const { list, ownId, scratchpad, run } = facts
  const own = list && ownId ? await list.get(ownId) : null
  if (own && own.status !== 'done') {
    violation(
      `the ${role} (${me}) never marked its task done: task ${own.id} "${own.title}" is ${own.status} at the end (coop-task-update ${own.id} done -n "…")`,
    )
  }
  if (role === 'member' && scratchpad) {
    const left = await readFile(join(scratchpad, `${me}.patch`), 'utf8').catch(() => null)
    if (left === null || left.trim() === '') {
      const where = facts.elsewhere
        ? `it left ${me}.patch at ${facts.elsewhere}, outside the scratchpad`
        : left === null
          ? `there is no ${me}.patch in the scratchpad`
          : `${me}.patch in the scratchpad is empty`
      violation(`the member (${me}) did not leave its patch for the lead: ${where}; a member writes ${TEAM_SCRATCHPAD_DIR}/${me}.patch`)
    }
  }
  if (role === 'lead' && scratchpad && !run.patch.includes('MEMBER.md')) {
    violation(`the lead's changes do not hold agent2's patch from ${TEAM_SCRATCHPAD_DIR}/agent2.patch: a lead integrates its members' work before it finishes`)
  }
}

/**
 * Where the agent left `<me>.patch` outside the scratchpad, if anywhere. find stops at the first match (its output to a
 * pipe is buffered: a find still walking a large /root when the timeout kills it would lose a match already made), and
 * skips the scratchpad and the trees no agent writes a patch into.
 */
async function misplacedPatch(sandbox: Sandbox, me: string): Promise<string | null> {
  const places = '/workspace /tmp /root /home'
  const skipped = `-path ${TEAM_SCRATCHPAD_DIR} -o -name .git -o -name node_modules -o -name .cache`
  const found = await sandbox.exec(['sh', '-c', `find ${places} \\( ${skipped} \\) -prune -o -name ${me}.patch -print -quit 2>/dev/null`], {
    timeoutMs: 30_000,
  })
  return found.stdout.trim() || null
}

function describeFeatures(features: TeamFeatures): string {
  const off = Object.entries(features).filter(([, on]) => on === false)
  return `off: ${off.map(([name]) => name).join(', ') || 'nothing'}`
}
