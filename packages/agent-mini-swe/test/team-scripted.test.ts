/**
 * A team of two mini-SWE agents against the scripted model (`dev model-server`'s script), each in
 * a real local sandbox, with what the harness provides a team built here by hand: a memory task
 * list seeded as the harness seeds it, the `coop-task-*` commands answered by a
 * `TaskCommandServer` (the agent puts their folder on its PATH itself), and a scratchpad folder
 * both sandboxes mount.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryBus, MemoryTaskList, newMemoryTaskStore } from '@cooperbench/builtins'
import { type AgentTeam, type Sandbox, SANDBOX_REPO_DIR, type Task } from '@cooperbench/spec'
import { ALL_TEAM_FEATURES, type TeamFeatures } from '@cooperbench/spec/team'
import { prepareTaskCommandsCommand, TaskCommandServer, taskCommandScripts } from '@cooperbench/setting-team'
import { TASK_COMMAND_BIN_DIR, teamTaskCommandsOn } from '@cooperbench/setting-team/agent'
import {
  createFixtureTask,
  type FixtureTask,
  goldDatasetScript,
  loadFixtureTask,
  localTestSandboxes,
  type ScriptedLlmServer,
  startScriptedLlmServer,
} from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MiniSweAgent } from '../src/agent/mini-swe-agent.js'
import { parseOptions } from '../src/agent/options.js'
import { createChatModel } from '../src/llm/index.js'
import { coopContext } from './fakes.js'

const sandboxes = localTestSandboxes()
const SCRATCHPAD = '/cooperbench/shared'

async function installTaskCommands(sandbox: Sandbox): Promise<void> {
  for (const [name, script] of Object.entries(taskCommandScripts())) await sandbox.writeFile(`${TASK_COMMAND_BIN_DIR}/${name}`, script)
  const prepared = await sandbox.exec(['sh', '-c', prepareTaskCommandsCommand()], { cwd: '/' })
  expect(prepared.exitCode, prepared.stderr).toBe(0)
}

describe.skipIf(sandboxes.skip)('the scripted model plays a team with mini-SWE', () => {
  let fixture: FixtureTask
  let task: Task
  let server: ScriptedLlmServer

  beforeAll(async () => {
    fixture = await createFixtureTask({
      repo: 'teamplay_task',
      base: { 'a.txt': 'a\n', 'b.txt': 'b\n' },
      features: [
        { spec: '**Title**: Feature one\n\nChange a.txt and add one.txt.\n', source: { 'a.txt': 'A\n', 'one.txt': 'one\n' }, tests: {} },
        { spec: '**Title**: Feature two\n\nChange b.txt and add two.txt.\n', source: { 'b.txt': 'B\n', 'two.txt': 'two\n' }, tests: {} },
      ],
      hostTools: ['bash', 'git'],
    })
    task = await loadFixtureTask(fixture)
    server = await startScriptedLlmServer({ script: await goldDatasetScript(fixture.datasetDir) })
  }, 120_000)
  afterAll(async () => {
    await server?.close()
    await sandboxes.close()
    await fixture?.cleanup()
  })

  /** Runs agent1 (lead, feature 1) and agent2 (member, feature 2) together; returns what a reader checks. */
  async function playTeam(features: Partial<TeamFeatures>) {
    const on = { ...ALL_TEAM_FEATURES, ...features }
    const shared = await mkdtemp(join(tmpdir(), 'cb-team-scratchpad-'))
    const list = teamTaskCommandsOn({ features: on }) ? new MemoryTaskList('run:teamplay', newMemoryTaskStore()) : null
    // The harness's seeding: one task per member, assigned to it, and the lead's.
    if (on.task_list) await list?.create('agent1', 'Implement feature 2', { assign: 'agent2' })
    if (on.task_list) await list?.create('agent1', 'Integrate and submit', { assign: 'agent1' })
    const bus = new MemoryBus()
    const featureOf = { agent1: 1, agent2: 2 } as const
    const specs = [
      await readFile(join(fixture.taskDir, 'feature1', 'feature.md'), 'utf8'),
      await readFile(join(fixture.taskDir, 'feature2', 'feature.md'), 'utf8'),
    ]
    const runs = (['agent1', 'agent2'] as const).map(async (agentId, i) => {
      const raw = await sandboxes.create(task, { role: agentId, sharedDirs: on.scratchpad ? [{ hostPath: shared, sandboxPath: SCRATCHPAD }] : [] })
      const servers: TaskCommandServer[] = []
      if (list) {
        await installTaskCommands(raw)
        servers.push(new TaskCommandServer({ sandbox: raw, list, agentId, pollMs: 100 }).start())
      }
      const team: AgentTeam = {
        role: agentId === 'agent1' ? 'lead' : 'member',
        lead: 'agent1',
        agents: ['agent1', 'agent2'],
        features: on,
        taskList: list,
        scratchpad: on.scratchpad ? SCRATCHPAD : null,
      }
      const mailbox = await bus.open('run:teamplay', agentId, [agentId === 'agent1' ? 'agent2' : 'agent1'])
      const agent = new MiniSweAgent(parseOptions({ model_base_url: server.url, model: { max_retries: 0 }, step_limit: 300 }), {
        createModel: (options) => createChatModel({ ...options, env: {} }),
      })
      try {
        const result = await agent.run(
          coopContext(mailbox, {
            setting: 'team',
            team,
            featureIds: [featureOf[agentId]],
            instructions: specs[i]!.trim(),
            sandbox: raw,
            model: 'openai/scripted-model',
          }),
        )
        const diff = await raw.exec('git add -A -N && git diff --stat', { cwd: SANDBOX_REPO_DIR })
        return { result, changed: diff.stdout }
      } finally {
        for (const s of servers) await s.stop()
      }
    })
    const [lead, member] = await Promise.all(runs)
    const files = on.scratchpad ? (await readdir(shared)).sort() : []
    const memberPatch = files.includes('agent2.patch') ? await readFile(join(shared, 'agent2.patch'), 'utf8') : null
    await rm(shared, { recursive: true, force: true })
    return { lead: lead!, member: member!, files, memberPatch, tasks: (await list?.list()) ?? [], log: (await list?.log()) ?? [] }
  }

  it('every feature on: the lead plans and integrates, the member claims, leaves its patch and marks its task done', async () => {
    const team = await playTeam({})
    expect(team.lead.result.status).toBe('Submitted')
    expect(team.member.result.status).toBe('Submitted')
    expect(team.files).toEqual(['PLAN.md', 'agent2.patch'])
    expect(team.memberPatch).toContain('+two')
    // The member's tree holds its feature; the lead's holds both.
    expect(team.member.changed).toMatch(/b\.txt/)
    expect(team.member.changed).not.toMatch(/a\.txt/)
    for (const file of ['a.txt', 'b.txt', 'one.txt', 'two.txt']) expect(team.lead.changed).toContain(file)
    expect(team.tasks.map((t) => [t.owner, t.status])).toEqual(
      expect.arrayContaining([
        ['agent1', 'done'],
        ['agent2', 'done'],
      ]),
    )
    expect(
      team.log
        .filter((e) => e.kind === 'claim')
        .map((e) => e.by)
        .sort(),
    ).toEqual(['agent1', 'agent2'])
    expect(
      team.log
        .filter((e) => e.kind === 'update')
        .map((e) => e.by)
        .sort(),
    ).toEqual(['agent1', 'agent2'])
    // The member marks its task done only after its patch is there, and the lead integrates after that.
    const commands = (messages: unknown[]) =>
      (messages as Array<{ extra: { actions?: Array<{ command: string }> } }>).flatMap((m) => m.extra.actions?.map((a) => a.command.split('\n')[0]) ?? [])
    expect(commands(team.member.result.messages)).toEqual([
      '# step: list-my-tasks',
      '# step: claim',
      '# step: read-plan',
      '# step: implement',
      '# step: leave-patch',
      '# step: mark-done',
      'echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT',
    ])
    const leadSteps = commands(team.lead.result.messages).filter((c, i, all) => c !== all[i - 1])
    expect(leadSteps).toEqual([
      '# step: write-plan',
      '# step: list-tasks',
      '# step: claim-own-task',
      '# step: implement',
      '# step: wait-for-members',
      '# step: integrate',
      '# step: mark-done',
      'echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT',
    ])
  }, 300_000)

  it('without any task list: no task command, the lead waits for the patch file instead', async () => {
    const team = await playTeam({ task_list: false, protocol: false, auto_refresh: false, task_commands: false })
    expect(team.files).toEqual(['PLAN.md', 'agent2.patch'])
    for (const file of ['a.txt', 'b.txt', 'one.txt', 'two.txt']) expect(team.lead.changed).toContain(file)
    const all = JSON.stringify([team.lead.result.messages, team.member.result.messages])
    expect(all).not.toContain('coop-task')
  }, 300_000)

  it('without the scratchpad: no plan, no patches, each submits its own feature', async () => {
    const team = await playTeam({ scratchpad: false })
    expect(team.lead.result.status).toBe('Submitted')
    expect(team.lead.changed).toContain('a.txt')
    expect(team.lead.changed).not.toContain('b.txt')
    expect(team.member.changed).toContain('b.txt')
    expect(JSON.stringify([team.lead.result.messages, team.member.result.messages])).not.toContain(SCRATCHPAD)
    expect(team.tasks.every((t) => t.status === 'done')).toBe(true)
  }, 300_000)
})
