/**
 * The team checks of the agent conformance suite against a third-party team agent written from
 * the plugin guide alone (test/team-player: no model, it plays the protocol itself), packed with
 * npm and installed with `cooperbench plugins install`, as its author would: it passes with no
 * wrapper. Three agents broken in one way each fail, with a message naming the fault.
 */
import { execFileSync } from 'node:child_process'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { builtinsPlugin } from '@cooperbench/builtins'
import { type Agent, type AgentRunContext, applyPlugin, PluginRegistry, type Sandbox } from '@cooperbench/core'
import { silentLogger } from '@cooperbench/spec-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type AgentCheckSetup,
  type ConformanceFixture,
  checkTeamRun,
  createConformanceFixture,
  describeAgentConformance,
  localTestSandboxes,
} from '../src/index.js'

const sandboxes = localTestSandboxes()
const work = await mkdtemp(join(tmpdir(), 'cb-team-player-'))
afterAll(async () => {
  await sandboxes.close()
  await rm(work, { recursive: true, force: true })
})

/** Packs the player as its author would and installs the tarball with the CLI; returns its agent, loaded from where it was installed. */
async function installedPlayer(): Promise<() => Promise<Agent>> {
  await cp(new URL('./team-player', import.meta.url), join(work, 'source'), { recursive: true })
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: join(work, 'source'), encoding: 'utf8' }))
  const cli = new URL('../../cli/bin/run.js', import.meta.url)
  execFileSync(process.execPath, [cli.pathname, 'plugins', 'install', join(work, filename)], {
    env: { ...process.env, COOPERBENCH_DATA_DIR: join(work, 'data') },
    stdio: 'pipe',
  })
  const installed = await import(pathToFileURL(join(work, 'data', 'node_modules', 'cooperbench-team-player', 'register.js')).href)
  const registry = new PluginRegistry()
  await applyPlugin(registry, builtinsPlugin)
  await applyPlugin(registry, installed.default)
  return async () => registry.create('agent', 'team_player', { options: {}, logger: silentLogger })
}

const player = sandboxes.skip ? async () => Promise.reject(new Error('skipped')) : await installedPlayer()

describeAgentConformance('team_player, packed and installed', {
  skip: sandboxes.skip,
  createAgent: player,
  createSandbox: sandboxes.create,
  team: { protocol: true },
})

/** The player with one fault: what it runs passes through `rewrite` (null: not run), or it tells its model about the task list regardless. */
function broken(agent: Agent, fault: { rewrite?: (command: string) => string | null; namesTaskList?: boolean }): Agent {
  const rewrite = fault.rewrite ?? ((command: string) => command)
  return {
    specificationVersion: 'agent-v1',
    name: 'broken_player',
    async run(ctx: AgentRunContext) {
      const sandbox: Sandbox = {
        ...ctx.sandbox,
        exec: (command, options) => {
          const line = Array.isArray(command) ? command.at(-1)! : command
          const changed = rewrite(line)
          if (changed === null) return Promise.resolve({ exitCode: 0, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 0 })
          return ctx.sandbox.exec(Array.isArray(command) ? [...command.slice(0, -1), changed] : changed, options)
        },
      }
      const result = await agent.run({ ...ctx, sandbox })
      return fault.namesTaskList ? { ...result, messages: [{ role: 'user', content: 'Use coop-task-list to see the tasks.' }, ...result.messages] } : result
    },
  }
}

describe.skipIf(sandboxes.skip)('the team checks catch a broken teammate, naming the fault', { timeout: 120_000 }, () => {
  let fixture: ConformanceFixture
  beforeAll(async () => {
    fixture = await createConformanceFixture()
  })
  afterAll(() => fixture?.cleanup())
  const setup = async (fault: Parameters<typeof broken>[1]): Promise<AgentCheckSetup> => ({
    agent: broken(await player(), fault),
    fixture,
    createSandbox: sandboxes.create,
    settleMs: 2_000,
    runMs: 100_000,
  })

  it('a lead that never marks its task done', async () => {
    const lead = await setup({ rewrite: (command) => (command.startsWith('coop-task-update') ? null : command) })
    await expect(checkTeamRun(lead, { protocol: true })).rejects.toThrow(
      /the lead \(agent1\) never marked its task done: task \w+ "Lead-only: integrate and submit feature 1" is in_progress/,
    )
  })

  it('a member that leaves its patch outside the scratchpad', async () => {
    const member = await setup({ rewrite: (command) => command.replace('/workspace/shared/agent2.patch', '/tmp/agent2.patch') })
    await expect(checkTeamRun(member, { role: 'member', protocol: true })).rejects.toThrow(
      'the member (agent2) did not leave its patch for the lead: it left agent2.patch at /tmp/agent2.patch, outside the scratchpad; a member writes /workspace/shared/agent2.patch',
    )
  })

  it('one that names a feature the team does not have', async () => {
    const none = { task_list: false, auto_refresh: false, protocol: false, task_commands: false } as const
    await expect(checkTeamRun(await setup({ namesTaskList: true }), { features: none, protocol: true })).rejects.toThrow(
      'without the task commands (task_list and protocol off), what the agent showed its model still names it ("coop-task-")',
    )
  })
})
