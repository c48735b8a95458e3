import { randomBytes } from 'node:crypto'
import { MemoryBus, MemoryTaskList, newMemoryTaskStore } from '@cooperbench/builtins'
import type { AgentTeam } from '@cooperbench/core'
import { ALL_TEAM_FEATURES, TEAM_SCRATCHPAD_DIR, type TeamFeatures } from '@cooperbench/spec/team'
import { teamTaskSummary } from '@cooperbench/spec-utils/host'
import { type AgentCheckSetup, type AgentRunRecord, runAgentOnFixture, violation } from './agent-run.js'
import { checkSubmitted } from './agent-result-checks.js'
import { requestTexts } from './request-texts.js'

/** What a team check saw. */
export interface TeamOutcome {
  run: AgentRunRecord
  features: TeamFeatures
  /** The `[Team task list]` summary of the seeded list as the lead sees it. */
  summary: string
}

/** Words that name a feature: a prompt of a run with the feature off must contain none. */
const NAMES: Partial<Record<keyof TeamFeatures, string[]>> = {
  task_list: ['coop-task-'],
  scratchpad: [TEAM_SCRATCHPAD_DIR],
  mcp: ['wait_for_message'],
  auto_refresh: ['[Team task list]'],
}

/**
 * The agent runs as `agent1`, the lead of a team of two (`agent2` the member), in the `team`
 * setting with `features` (the rest on): a memory task list seeded as the harness seeds it (the
 * member's task, assigned, and the lead's), a mailbox, `ctx.team`. Always: it still submits, and
 * nothing it showed its model (the scripted model's requests; without a script, its trajectory)
 * names a feature that is off (`coop-task-` for the task list, `/workspace/shared` for the
 * scratchpad, `wait_for_message` for the MCP tool, `[Team task list]` for the auto-refresh). With
 * `waitForMessage` (an agent that offers the tool) and mcp on, it names `wait_for_message`. With
 * `autoRefresh` (a loop agent that shows the task list): with the task list and auto-refresh on,
 * every model request carries the seeded list's `[Team task list]` summary.
 */
export async function checkTeamRun(
  setup: AgentCheckSetup,
  options: { features?: Partial<TeamFeatures>; autoRefresh?: boolean; waitForMessage?: boolean } = {},
): Promise<TeamOutcome> {
  const features = { ...ALL_TEAM_FEATURES, ...options.features }
  const namespace = `run:conformance-team-${randomBytes(6).toString('hex')}`
  const bus = new MemoryBus()
  const list = new MemoryTaskList(namespace, newMemoryTaskStore())
  await list.create('agent1', 'Implement feature 2', { assign: 'agent2' })
  await list.create('agent1', "Integrate the team's work and submit", { assign: 'agent1' })
  const summary = teamTaskSummary(await list.list(), 'agent1')
  const mailbox = await bus.open(namespace, 'agent1', ['agent2'])
  const team: AgentTeam = {
    role: 'lead',
    lead: 'agent1',
    agents: ['agent1', 'agent2'],
    features,
    taskList: features.task_list ? list : null,
    scratchpad: features.scratchpad ? TEAM_SCRATCHPAD_DIR : null,
  }
  try {
    let run: AgentRunRecord
    try {
      run = await runAgentOnFixture(setup, { setting: 'team', mailbox, team })
    } finally {
      await mailbox.finish()
      await mailbox.close()
    }
    const off = Object.entries(features).filter(([, on]) => !on)
    checkSubmitted(run, `run in the team setting (off: ${off.map(([name]) => name).join(', ') || 'nothing'})`)
    const seen = setup.script ? run.requests.map((r) => requestTexts(r.body).join('\n')) : [JSON.stringify([run.result?.messages ?? [], run.recorder.saves])]
    for (const [name] of off) {
      for (const word of NAMES[name as keyof TeamFeatures] ?? []) {
        if (seen.some((text) => text.includes(word)))
          violation(
            `with ${name} off, what the agent showed its model still names it (${JSON.stringify(word)}): a prompt must not mention a feature that is off`,
          )
      }
    }
    if (options.waitForMessage && features.mcp && !seen.some((text) => text.includes('wait_for_message'))) {
      violation('with mcp on, what the agent showed its model never names its wait_for_message tool')
    }
    if (options.autoRefresh && features.task_list && features.auto_refresh && setup.script) {
      const missing = seen.findIndex((text) => !text.includes(summary))
      if (missing >= 0) violation(`model request ${missing + 1} of ${seen.length} does not carry the task list's summary ${JSON.stringify(summary)}`)
    }
    return { run, features, summary }
  } finally {
    await list.close().catch(() => {})
    await bus.clear(namespace).catch(() => {})
    await bus.close().catch(() => {})
  }
}
