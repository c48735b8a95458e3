import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryBus } from '@cooperbench/builtins'
import type { Sandbox, SettingPair } from '@cooperbench/core'
import { Lifetime } from '@cooperbench/core/plugins'
import { pairFolders } from '@cooperbench/core/runner'
import { TeamSession } from '@cooperbench/setting-team'
import { teamTaskCommandsOn, teamTaskSummary } from '@cooperbench/setting-team/agent'
import { silentLogger } from '@cooperbench/spec-utils'
import { ALL_TEAM_FEATURES, TEAM_SCRATCHPAD_DIR, type TeamFeatures } from '@cooperbench/spec/team'
import { type AgentCheckSetup, type AgentRunRecord, runAgentOnFixture, type TeamScriptFacts, violation } from './agent-run.js'
import { checkSubmitted } from './agent-result-checks.js'
import { requestTexts } from './request-texts.js'

/** What a team check saw. */
export interface TeamOutcome {
  run: AgentRunRecord
  features: TeamFeatures
  /** The `[Team task list]` summary of the seeded list as the agent saw it at its start. */
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
}

/** Words that name a feature: a prompt of a run without it must contain none. */
const NAMES = { commands: ['coop-task-'], scratchpad: [TEAM_SCRATCHPAD_DIR], mcp: ['wait_for_message'], auto_refresh: ['[Team task list]'] }

/** The simulated member's work, a file of its own: what the lead finds in the scratchpad. */
const MEMBER_PATCH = 'diff --git a/MEMBER.md b/MEMBER.md\nnew file mode 100644\n--- /dev/null\n+++ b/MEMBER.md\n@@ -0,0 +1 @@\n+written by agent2\n'

/**
 * Runs the agent in the `team` setting as a team run does, with the team setting's own session:
 * the list seeded (agent1 the lead, agent2 the member), the commands installed in its sandbox and
 * answered as its agent, the scratchpad mounted (`createSandbox`'s `sharedDirs`) with the mirror
 * kept, `ctx.team`. The agent takes one seat; its teammate is played by the check (as the lead's
 * member, it has done its task and left its patch before the lead starts). Always: it submits, and
 * nothing it showed its model names a feature it does not have. With `protocol`, it does its part:
 * a member's task is `done` and its patch is in the scratchpad; the lead's task is `done` and its
 * changes hold the member's patch.
 */
export async function checkTeamRun(setup: AgentCheckSetup, options: TeamCheckOptions = {}): Promise<TeamOutcome> {
  const role = options.role ?? 'lead'
  const features = { ...ALL_TEAM_FEATURES, ...options.features }
  const [me, mate] = role === 'lead' ? ['agent1', 'agent2'] : ['agent2', 'agent1']
  const runId = randomBytes(4).toString('hex')
  const bus = new MemoryBus()
  const lifetime = new Lifetime()
  const dir = await mkdtemp(join(tmpdir(), 'cb-conformance-team-'))
  try {
    const pair = conformancePair(setup, bus, lifetime, dir, runId)
    // The agent implements the fixture's feature 1; its teammate another one.
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
    const session = await TeamSession.open(pair, runId, seats, features)
    const seat = session.seat(me, 1)
    const list = session.taskList
    const own = list && features.task_list ? ((await list.list({ owner: me }))[0] ?? null) : null
    const scratchpad = (seat.sharedDirs ?? []).find((d) => d.sandboxPath === TEAM_SCRATCHPAD_DIR && features.scratchpad)?.hostPath ?? null
    if (role === 'lead') await playMember(list, features, scratchpad)
    const summary = list ? teamTaskSummary(await list.list(), me) : ''
    const script: TeamScriptFacts = {
      role,
      agentId: me,
      taskId: own?.id ?? null,
      scratchpad: scratchpad && TEAM_SCRATCHPAD_DIR,
      combinedPatch: `${setup.fixture.featurePatch}${MEMBER_PATCH}`,
    }
    let elsewhere: string | null = null
    const mailbox = await bus.open(`run:${runId}`, me, [mate])
    let run: AgentRunRecord
    try {
      run = await runAgentOnFixture(setup, {
        setting: 'team',
        mailbox,
        team: seat.team ?? null,
        seat: { agentId: me, sharedDirs: seat.sharedDirs ?? [], ...(seat.prepare ? { prepare: seat.prepare } : {}) },
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
    checkNaming(setup, run, features, options, summary)
    if (options.protocol) await checkPart(role, me, { features, list, ownId: own?.id ?? null, scratchpad, run, elsewhere })
    await session.finish()
    return { run, features, summary }
  } finally {
    await lifetime.dispose()
    await bus.close().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
}

/** The pair the team setting is given: core's folders and files, the memory bus, a backend that shares no folder live (commands answered through the sandbox). */
function conformancePair(setup: AgentCheckSetup, bus: MemoryBus, lifetime: Lifetime, dir: string, runId: string): SettingPair {
  const unused = () => Promise.reject(new Error('not used by the team checks'))
  return {
    task: setup.fixture.task,
    features: [1, 2],
    runId,
    options: {},
    run: { messaging: true, git: false, features: 2 },
    bus,
    backend: { name: 'conformance', capabilities: { isolation: 'container', network: false, snapshots: false, sharedFolders: false } },
    logger: silentLogger,
    signal: new AbortController().signal,
    featureText: unused,
    runSeats: unused,
    openChannel: unused,
    openGitRemote: unused,
    ...pairFolders(lifetime, dir),
  }
}

/** The member as the lead's teammate: its task claimed and done, its patch in the scratchpad, before the lead starts. */
async function playMember(list: TeamSession['taskList'], features: TeamFeatures, scratchpad: string | null): Promise<void> {
  if (scratchpad) await writeFile(join(scratchpad, 'agent2.patch'), MEMBER_PATCH)
  const task = list && features.task_list ? (await list.list({ owner: 'agent2' }))[0] : undefined
  if (!list || !task) return
  await list.claim(task.id, 'agent2')
  await list.update(task.id, 'agent2', 'done', scratchpad ? 'patch at /workspace/shared/agent2.patch' : 'done')
}

/** Nothing the agent showed its model names what its team does not have; what it must name, it names. */
function checkNaming(setup: AgentCheckSetup, run: AgentRunRecord, features: TeamFeatures, options: TeamCheckOptions, summary: string): void {
  const seen = setup.script ? run.requests.map((r) => requestTexts(r.body).join('\n')) : [JSON.stringify([run.result?.messages ?? [], run.recorder.saves])]
  const without: Array<[string, string[]]> = [
    ...(teamTaskCommandsOn({ features }) ? [] : [['without the task commands (task_list and protocol off)', NAMES.commands] as [string, string[]]]),
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
  if (options.waitForMessage && features.mcp && !seen.some((text) => text.includes('wait_for_message'))) {
    violation('with mcp on, what the agent showed its model never names its wait_for_message tool')
  }
  if (options.autoRefresh && features.auto_refresh && summary !== '' && setup.script) {
    const missing = seen.findIndex((text) => !text.includes('[Team task list]'))
    if (missing >= 0) violation(`model request ${missing + 1} of ${seen.length} does not carry the task list's [Team task list] summary`)
  }
}

/** The agent's part of the protocol, each fault named. */
async function checkPart(
  role: 'lead' | 'member',
  me: string,
  facts: {
    features: TeamFeatures
    list: TeamSession['taskList']
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
