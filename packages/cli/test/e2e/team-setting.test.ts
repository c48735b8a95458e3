import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { redisServerSkipReason, startRedisServer } from '@cooperbench/testkit'
import { describe, expect, it } from 'vitest'
import { expectAsExpected } from './expected-verdicts.js'
import { DEMO_DATASET, demoPair, describeResult, listFiles, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli, runCliInProcess } from './helpers.js'

/**
 * An agent that takes part in a team the way the prompts ask, through the commands and files the
 * harness put in its sandbox (never through the host), knowing nothing of the setting but its
 * coordination surface: it lists and claims its own task, leaves a file in the scratchpad, marks
 * the task done, reads the mirror; the lead waits for every task to be done and reads the members'
 * files. What it saw goes into its trajectory.
 */
const TEAM_PROBE = `export default { name: 'team-probe', version: '0.0.1', register(api) { api.agent({ name: 'teamprobe', specificationVersion: 'agent-v1',
  create: () => ({ specificationVersion: 'agent-v1', name: 'teamprobe', async run(ctx) {
    const me = ctx.agentId
    // No PATH of its own: the harness puts the seat's commands on the PATH of what the agent runs.
    const sh = async (c) => (await ctx.sandbox.exec(['sh', '-c', c], { signal: ctx.signal, timeoutMs: 180000 })).stdout.trim()
    const bash = async (c) => (await ctx.sandbox.exec(c, { signal: ctx.signal, timeoutMs: 30000 })).stdout.trim()
    const { coordination } = ctx
    const tools = coordination.tools.map((t) => t.kind + ':' + t.name)
    const has = (name) => coordination.tools.some((t) => t.name === name)
    const role = await sh('echo "$CB_TEAM_ROLE"')
    const status = coordination.status ? await coordination.status() : null
    const seen = {
      peers: ctx.peers, role, tools, commandDir: coordination.commandDir, briefing: coordination.briefing.sections.map((s) => s.title),
      upstream: coordination.briefing.upstream, status: status && status.split('\\n')[0], waitForMessages: coordination.waitForMessages,
    }
    seen.commands = await sh('command -v coop-task-list || echo none')
    seen.loginCommands = await bash('command -v coop-task-list || echo none')
    seen.protocolCommands = await sh('for c in coop-request coop-respond coop-pending; do command -v $c || echo none; done')
    if (has('coop-request') && role === 'lead') {
      seen.response = await sh("coop-request agent2 question 'ready to integrate?' --wait 150; echo \\"exit=$?\\"")
    }
    if (has('coop-pending') && me === 'agent2') {
      for (let i = 0; i < 600; i++) {
        const pending = JSON.parse(await sh('coop-pending'))
        if (pending.length > 0) { seen.pending = pending; seen.respond = await sh('coop-respond ' + pending[0].id + ' "yes, patch in the scratchpad"; echo "exit=$?"'); break }
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    seen.shared = await sh('test -d /workspace/shared && echo yes || echo no')
    // Told of a scratchpad the team shares (without one, /workspace/shared may still hold the agent's own mirror).
    const scratchpad = seen.briefing.includes('Scratchpad')
    if (!scratchpad && has('coop-task-list')) seen.localMirror = await sh('coop-task-list >/dev/null && ls /workspace/shared/tasks | tr "\\\\n" " " | sed "s/ $//"')
    seen.remote = await sh('git remote get-url team 2>/dev/null || echo none')
    const mine = has('coop-task-list') ? JSON.parse(await sh('coop-task-list --mine')) : []
    if (mine.length > 0) {
      seen.mine = mine.map((t) => t.title)
      const task = mine[0]
      seen.claim = await sh('coop-task-claim ' + task.id + '; echo "exit=$?"')
      if (scratchpad) await sh('echo "from ' + me + '" > /workspace/shared/' + me + '.patch')
      seen.update = await sh("coop-task-update " + task.id + " done -n 'patch at /workspace/shared/" + me + ".patch'; echo \\"exit=$?\\"")
      if (scratchpad) seen.mirrored = JSON.parse(await sh('cat /workspace/shared/tasks/' + task.id + '.json')).status
      if (role === 'lead') {
        for (let i = 0; i < 600; i++) {
          const all = JSON.parse(await sh('coop-task-list'))
          if (all.every((t) => t.status === 'done')) break
          await new Promise((r) => setTimeout(r, 100))
        }
        for (const peer of ctx.peers) seen['from_' + peer] = await sh('cat /workspace/shared/' + peer + '.patch')
      }
    }
    return { status: 'Submitted', cost: 0, steps: 1, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0,
             messages: [{ role: 'tool', content: JSON.stringify(seen) }], error: null }
  } }) }) } }
`

/** What the probe saw, from its trajectory. */
async function probed(pair: string, featureId: number): Promise<any> {
  const trajectory = await readJson(join(pair, `agent${featureId}_traj.json`))
  return JSON.parse(trajectory.messages[0].content)
}

async function probeWorkdir(prefix: string) {
  const w = await makeWorkdir(prefix)
  await writeFile(join(w.cwd, 'team-probe.mjs'), TEAM_PROBE)
  await writeFile(
    join(w.cwd, 'cooperbench.config.json'),
    JSON.stringify({ plugins: ['./team-probe.mjs'], backends: { docker: { network: 'none', buildNetwork: 'none', pull: 'never' } } }),
  )
  return w
}

const engine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0
/** Why there is no Redis to run the local probe over (under CI there always is: a missing server fails). */
const noRedis = redisServerSkipReason()

const ALL_ON = { task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true }
/** Where the harness installs a seat's commands (`SEAT_COMMAND_DIR`). */
const BIN = '/tmp/.cooperbench-tools/bin'
const TASK_TOOLS = ['coop-task-list', 'coop-task-claim', 'coop-task-update', 'coop-task-create'].map((name) => `command:${name}`)
const PROTOCOL_TOOLS = ['coop-request', 'coop-respond', 'coop-pending'].map((name) => `command:${name}`)

describe('cooperbench run --setting team (local backend)', () => {
  it('the oracle: team folders, result.json with the lead, roles, features and metrics, the seeded list, the scratchpad copy, coop verdicts', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('team-oracle')
    // Features 1 and 2 of both textkit tasks: task 7's gold patches conflict, task 12's merge cleanly.
    const command = ['run', '--dataset-dir', DEMO_DATASET, '-s', 'demo', '-r', 'textkit_task', '-f', '1,2', '-a', 'oracle', '--setting', 'team', '-c', '2']
    const r = await runCli(command, w.options({ timeoutMs: 600_000 }))
    expect(r.code, describeResult(r)).toBe(0)
    expect(r.stdout).toContain('team-or-demo-textkit: 2 pair(s), team')
    // The oracle declares that it takes part in no protocol: said once, at the start (not per pair or agent).
    expect(r.stderr.match(/agent oracle takes part in no team protocol/g)).toHaveLength(1)
    const pairs = await pairDirs(w.logs, 'team-or-demo-textkit', 'team')
    expect(pairs.map((dir) => dir.split('/').slice(-3).join('/'))).toEqual(['textkit_task/12/f1_f2', 'textkit_task/7/f1_f2'])
    for (const dir of pairs) {
      const result = await readJson(join(dir, 'result.json'))
      const [a, b] = result.features as [number, number]
      expect((await listFiles(dir)).filter((f) => !f.startsWith('scratchpad/')).sort()).toEqual(
        [
          `agent${a}.patch`,
          `agent${a}_traj.json`,
          `agent${b}.patch`,
          `agent${b}_traj.json`,
          'conversation.json',
          'eval.json',
          'result.json',
          'task_log.json',
          'tasks.json',
        ].sort(),
      )
      expect(result).toMatchObject({
        setting: 'team',
        lead_agent: 'agent1',
        team_features: ALL_ON,
        agents: { agent1: { feature_id: a, team_role: 'lead', status: 'Submitted' }, agent2: { feature_id: b, team_role: 'member', status: 'Submitted' } },
      })
      // The oracle never touches the list: the two seeded tasks, both open, pre-assigned, nobody claimed.
      expect(result.metrics).toEqual({
        tasks_total: 2,
        tasks_done: 0,
        unowned_at_end: 0,
        time_to_first_claim_seconds: null,
        claims_per_agent: {},
        updates_per_agent: {},
      })
      const tasks = await readJson(join(dir, 'tasks.json'))
      expect(tasks.map((t: any) => [t.owner, t.status, t.created_by]).sort()).toEqual([
        ['agent1', 'open', 'bench-runner'],
        ['agent2', 'open', 'bench-runner'],
      ])
      // Upstream's seeding: its titles, its metadata.
      expect(tasks.map((t: any) => [t.title, t.metadata]).sort()).toEqual([
        [`Implement feature ${b}`, { feature_id: b, assigned_to: 'agent2' }],
        [`Lead-only: integrate and submit feature ${a}`, { feature_id: a, assigned_to: 'agent1', lead_task: true }],
      ])
      const log = await readJson(join(dir, 'task_log.json'))
      expect(log.map((e: any) => [e.kind, e.by])).toEqual([
        ['create', 'bench-runner'],
        ['create', 'bench-runner'],
      ])
      // The scratchpad as the agents left it: only the harness's mirror of the list.
      const copied = (await listFiles(join(dir, 'scratchpad'))).sort()
      expect(copied).toEqual(['tasks/_index.json', 'tasks/_log.jsonl', ...tasks.map((t: any) => `tasks/${t.id}.json`)].sort())
      const verdict = await readJson(join(dir, 'eval.json'))
      expect(verdict.setting).toBe('team')
      expect(verdict.policy).toBe('cooperbench-0.0.16')
      // A team is judged exactly as the coop pair of the same patches.
      expectAsExpected(verdict, 'coop', dir)
    }
    const config = await readJson(join(w.logs, 'team-or-demo-textkit', 'config.json'))
    expect(config.team_features).toEqual(ALL_ON)
    expect(config.fingerprint.team_features).toEqual(ALL_ON)
    const summary = await readJson(join(w.logs, 'team-or-demo-textkit', 'eval_summary.json'))
    expect(summary.by_setting.team.total_runs).toBe(2)

    // The same command again resumes: every team pair is kept, none runs or is judged again.
    const resumed = await runCli(command, w.options({ timeoutMs: 600_000 }))
    expect(resumed.code, describeResult(resumed)).toBe(0)
    expect(resumed.stdout).toContain('(completed 0, reused 2, failed 0)')

    // eval -n reads a team folder again (forced, one pair: the reading is the same for each): the same verdict.
    const again = await runCli(
      ['eval', '--dataset-dir', DEMO_DATASET, '-n', 'team-or-demo-textkit', '--force', '-r', 'textkit_task', '-t', '7', '-f', '1,2'],
      w.options({ timeoutMs: 600_000 }),
    )
    expect(again.code, describeResult(again)).toBe(0)
    expect(again.stderr).toContain('evaluating 1 pair(s) (0 already evaluated)')
    for (const dir of pairs) expectAsExpected(await readJson(join(dir, 'eval.json')), 'coop', dir)
  }, 900_000)

  // On local, the team's list and requests live in a real Redis and the pair has the shared --git
  // remote (one run for both: the probe's points hold on either bus); on Docker, in memory.
  it('local, over Redis with --git: agents use the task commands and the scratchpad from inside their sandboxes; the records count their claims and updates (a team of three); the list lives in Redis, the shared remote is there', async (ctx) => {
    requireLocalBackend(ctx)
    const redis = noRedis ? null : await startRedisServer()
    try {
      await probeTeamOfThree('local', redis?.url ?? null)
    } finally {
      await redis?.stop()
    }
  }, 300_000)

  it('docker: agents use the task commands and the scratchpad from inside their sandboxes; the records count their claims and updates (a team of three)', async (ctx) => {
    if (!engine && !process.env.CI) ctx.skip('no Docker engine')
    await probeTeamOfThree('docker', null)
  }, 300_000)

  /** The team-of-three probe run on a backend, over Redis when `redisUrl` is given (then with --git too). */
  async function probeTeamOfThree(backend: 'local' | 'docker', redisUrl: string | null): Promise<void> {
    const w = await probeWorkdir(`team-probe-${backend}`)
    const overRedis = redisUrl === null ? [] : ['--redis', redisUrl, '--git']
    const r = await runCli(
      [
        'run',
        ...demoPair(12, '1,2,3'),
        '--agents',
        '3',
        '-a',
        'teamprobe',
        '--setting',
        'team',
        '--backend',
        backend,
        ...overRedis,
        '-n',
        'probe',
        '--no-auto-eval',
      ],
      w.options({ timeoutMs: 300_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const [pair] = await pairDirs(w.logs, 'probe', 'team')
    const result = await readJson(join(pair!, 'result.json'))
    expect(result.metrics).toMatchObject({
      tasks_total: 3,
      tasks_done: 3,
      unowned_at_end: 0,
      claims_per_agent: { agent1: 1, agent2: 1, agent3: 1 },
      updates_per_agent: { agent1: 1, agent2: 1, agent3: 1 },
    })
    expect(result.metrics.time_to_first_claim_seconds).toBeGreaterThanOrEqual(0)
    for (const [featureId, agentId, role] of [
      [1, 'agent1', 'lead'],
      [2, 'agent2', 'member'],
      [3, 'agent3', 'member'],
    ] as const) {
      const seen = await probed(pair!, featureId)
      // What the seat was given to coordinate with: the team's commands and tracker, our briefing, the summary, the wait tool.
      expect(seen).toMatchObject({
        peers: ['agent1', 'agent2', 'agent3'].filter((a) => a !== agentId),
        role,
        tools: [...TASK_TOOLS, ...PROTOCOL_TOOLS, 'function:task_tracker'],
        commandDir: BIN,
        briefing: ['Your role in the team', 'Task list', 'Requests', 'Scratchpad'],
        upstream: null,
        waitForMessages: { declaration: null },
      })
      expect(seen.status).toMatch(/^\[Team task list\] /)
      expect(seen.commands).toBe(`${BIN}/coop-task-list`)
      expect(seen.loginCommands).toBe(`${BIN}/coop-task-list`)
      expect(seen.protocolCommands.split('\n')).toEqual(['coop-request', 'coop-respond', 'coop-pending'].map((c) => `${BIN}/${c}`))
      expect(seen.mine).toEqual([role === 'lead' ? 'Lead-only: integrate and submit feature 1' : `Implement feature ${featureId}`])
      expect(seen.claim).toBe('exit=0')
      expect(seen.update).toBe('exit=0')
      // The mirror already says done when the command returns.
      expect(seen.mirrored).toBe('done')
      expect(result.agents[agentId].team_role).toBe(role)
    }
    const lead = await probed(pair!, 1)
    // The typed protocol across sandboxes: agent1 asked and waited, agent2 saw it pending and answered.
    const member = await probed(pair!, 2)
    expect(member.pending).toEqual([expect.objectContaining({ from: 'agent1', to: 'agent2', kind: 'question', body: 'ready to integrate?' })])
    expect(member.respond).toBe('exit=0')
    const [answer, exit] = lead.response.split('\n')
    expect(exit).toBe('exit=0')
    expect(JSON.parse(answer)).toMatchObject({ id: member.pending[0].id, from: 'agent2', to: 'agent1', body: 'yes, patch in the scratchpad' })
    const protocolLog = (await readJson(join(pair!, 'task_log.json'))).filter((e: any) => e.request_id === member.pending[0].id)
    expect(protocolLog.map((e: any) => [e.kind, e.by, e.to])).toEqual([
      ['request', 'agent1', 'agent2'],
      ['response', 'agent2', 'agent1'],
    ])
    expect(lead.from_agent2).toBe('from agent2')
    expect(lead.from_agent3).toBe('from agent3')
    const copied = await listFiles(join(pair!, 'scratchpad'))
    expect(copied).toEqual(expect.arrayContaining(['agent1.patch', 'agent2.patch', 'agent3.patch', 'tasks/_index.json', 'tasks/_log.jsonl']))
    const log = await readJson(join(pair!, 'task_log.json'))
    expect(log.filter((e: any) => e.kind === 'update').map((e: any) => e.status)).toEqual(['done', 'done', 'done'])
    if (redisUrl !== null) {
      // The claims, updates, request and response counted above all went through Redis, each
      // sandbox served by its own handle; the shared remote was there beside the list.
      const config = await readJson(join(w.logs, 'probe', 'config.json'))
      expect(config.fingerprint, 'the run is recorded as one over Redis with --git').toMatchObject({ bus: 'redis', git_enabled: true })
      expect(result.git_enabled, 'the pair is recorded with the shared remote').toBe(true)
      expect(lead.remote, 'the lead sees the shared remote of --git beside the team commands').toBe('/cooperbench/team.git')
    }
  }

  it('--team-no-task-commands --team-no-scratchpad: no commands, no /workspace/shared, no list files, no metrics; the features are recorded off', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await probeWorkdir('team-ablation')
    const r = await runCli(
      ['run', ...demoPair(12), '-a', 'teamprobe', '--setting', 'team', '--team-no-task-commands', '--team-no-scratchpad', '--no-auto-eval'],
      w.options({ timeoutMs: 300_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const name = 'team-teamprobe-no-scratchpad-no-task-commands-gemini-3-flash-textkit-12'
    expect(r.stdout).toContain(name)
    const [pair] = await pairDirs(w.logs, name, 'team')
    // No task list of any kind: the seeded list, the protocol and the summary are recorded off with it.
    const off = { ...ALL_ON, task_list: false, scratchpad: false, auto_refresh: false, protocol: false, task_commands: false }
    const result = await readJson(join(pair!, 'result.json'))
    expect(result.team_features).toEqual(off)
    // Upstream writes `metrics or {}`: the key is there, empty.
    expect(result.metrics).toEqual({})
    for (const file of ['task_log.json', 'tasks.json', 'scratchpad']) expect(existsSync(join(pair!, file)), file).toBe(false)
    for (const featureId of [1, 2]) {
      const seen = await probed(pair!, featureId)
      // Only the role and the wait tool (mcp stays on): no tools, no summary, no commands.
      expect(seen).toMatchObject({ tools: [], status: null, briefing: ['Your role in the team'], waitForMessages: { declaration: null } })
      expect(seen.commands).toBe('none')
      expect(seen.protocolCommands).toBe('none\nnone\nnone')
      expect(seen.shared).toBe('no')
    }
    const config = await readJson(join(w.logs, name, 'config.json'))
    expect(config.team_features).toEqual(off)

    // The same run name with every feature on is another configuration: refused, naming the features.
    // A refusal before any agent starts: the command's wording, in the test's own process.
    const mixed = await runCliInProcess(['run', ...demoPair(12), '-a', 'teamprobe', '--setting', 'team', '-n', name, '--no-auto-eval'], w.options())
    expect(mixed.code, describeResult(mixed)).not.toBe(0)
    expect(mixed.stderr).toContain('team_features.task_list')
  }, 300_000)

  it('a --team-no-* flag without --setting team is a usage error (exit 2); so is a team under --policy cooperbench-0.0.14', async () => {
    const w = await makeWorkdir('team-usage')
    // Usage errors, the command's wording and exit code: in the test's own process.
    const flag = await runCliInProcess(['run', ...demoPair(12), '-a', 'oracle', '--team-no-mcp'], w.options())
    expect(flag.code, describeResult(flag)).toBe(2)
    expect(flag.stderr).toContain('--team-no-mcp')
    expect(flag.stderr).toContain('--setting team')
    const policy = await runCliInProcess(['run', ...demoPair(12), '-a', 'oracle', '--setting', 'team', '--policy', 'cooperbench-0.0.14'], w.options())
    expect(policy.code, describeResult(policy)).toBe(2)
    expect(policy.stderr).toContain('cooperbench-0.0.16')
  })
})
