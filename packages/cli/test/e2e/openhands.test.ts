import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakeOpenHandsServerCommand, installFakeOpenHandsServer } from '@cooperbench/standins/openhands-server'
import { startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { featureIndex } from './gold-features.js'
import { expectPairsAsExpected } from './expected-verdicts.js'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli, type Workdir } from './helpers.js'
import { openhandsGoldModel } from './openhands-support.js'

/**
 * Agent `openhands_sdk` end to end through the stand-in OpenHands agent server (testkit), which
 * runs in each agent's sandbox and calls a scripted OpenAI-compatible model: in coop each agent
 * messages its teammate with the `send_message` client tool, applies its feature's gold patch
 * with the `terminal` tool, and calls `finish`; in solo one agent applies both. The bridge, the
 * port relay, messaging, sandboxes and evaluation are real. On the local backend here; in containers
 * (docker, modal, gcp) in openhands-remote.test.ts.
 */
const REPO = 'textkit_task'
let llm: Awaited<ReturnType<typeof startScriptedLlmServer>>
let serverDir: string
let installed: Awaited<ReturnType<typeof installFakeOpenHandsServer>> | undefined
const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }

beforeAll(async () => {
  llm = await startScriptedLlmServer({ script: openhandsGoldModel(await featureIndex(REPO)) as never })
  installed = await installFakeOpenHandsServer()
  serverDir = installed.dir
}, 120_000)
afterAll(async () => {
  llm?.close()
  await installed?.remove()
})

/** Runs the agent with the stand-in server; `faults` are the server's fault flags. */
async function workdir(prefix: string, faults: string[] = []): Promise<Workdir> {
  const w = await makeWorkdir(prefix)
  const config = {
    backends: { local: { network: true } },
    // OPENHANDS_SERVER_COMMAND runs the local tests on another server, e.g. the real one (scripts/openhands-real-server).
    agents: {
      openhands_sdk: {
        server_command: process.env.OPENHANDS_SERVER_COMMAND || fakeOpenHandsServerCommand(serverDir, '{port}', ['--host', '127.0.0.1', ...faults]),
        poll_seconds: 0.5,
      },
    },
  }
  await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify(config))
  return w
}

// One pair of task 7 (its features 1 and 2): what the agent does is the same on every pair and
// every task, whose pairs run through the harness in the tests of other agents; a coop pair's two
// agents already run two agent servers side by side.
const common = (backend: string) => [
  '-s',
  'demo',
  '-r',
  REPO,
  '-t',
  '7',
  '-f',
  '1,2',
  '--dataset-dir',
  DEMO_DATASET,
  '--backend',
  backend,
  '-c',
  '4',
  '-m',
  'openai/scripted-model',
  '--model-base-url',
  llm.url,
]

/** The run's coop verdicts are the oracle's (dataset/expected/demo-verdicts.json). */
async function expectLikeOracle(w: Workdir, run: string): Promise<void> {
  const mine = await pairDirs(w.logs, run, 'coop')
  expect(mine).toHaveLength(1)
  expectPairsAsExpected(mine, 'coop')
}

async function expectCoopRecorded(w: Workdir, run: string): Promise<void> {
  for (const dir of await pairDirs(w.logs, run, 'coop')) {
    const result = await readJson(join(dir, 'result.json'))
    const agents = Object.entries(result.agents as Record<string, unknown>)
    expect(agents, dir).toHaveLength(2)
    for (const [name, agent] of agents) {
      expect(agent, `${dir} ${name}: ${(agent as { error?: unknown }).error}`).toMatchObject({
        status: 'Submitted',
        steps: 3,
        input_tokens: 3000,
        output_tokens: 150,
        patch_source: 'harness_diff',
      })
    }
    expect(result.messages_sent, dir).toBe(2)
    const conversation = (await readJson(join(dir, 'conversation.json'))) as Array<{ from: string; to: string }>
    expect(conversation, dir).toHaveLength(2)
    expect(new Set(conversation.map((m) => m.from)).size, dir).toBe(2)
  }
}

describe('openhands_sdk through the stand-in agent server', () => {
  it('coop with --git and solo on local, over an event socket that drops mid-run: everything submits, verdicts equal the oracle’s, messages and tokens recorded, raw events kept, none lost or doubled', async (ctx) => {
    requireLocalBackend(ctx)
    // One workdir whose servers drop their event socket after 4 events: the drop costs a run of its
    // own otherwise, and every assertion of a run without it holds with it.
    const w = await workdir('oh-local', ['--drop-ws-after', '4'])
    const coop = await runCli(['run', '-a', 'openhands', '-n', 'ohcoop', '--git', ...common('local')], w.options({ env, timeoutMs: 600_000 }))
    expect(coop.code, describeResult(coop)).toBe(0)
    await expectCoopRecorded(w, 'ohcoop')
    await expectLikeOracle(w, 'ohcoop')
    const [dir] = await pairDirs(w.logs, 'ohcoop', 'coop')
    const trajectories = (await readdirNames(dir!)).filter((f) => f.endsWith('_traj.json'))
    expect(trajectories, 'a trajectory per agent').toHaveLength(2)
    for (const file of trajectories) {
      const events = rawEvents(await readJson(join(dir!, file)))
      expect(eventKinds(await readJson(join(dir!, file))), `${file}: raw events kept`).toEqual(
        expect.arrayContaining(['ActionEvent', 'ObservationEvent', 'MessageEvent']),
      )
      const ids = events.map((e) => e.id)
      expect(new Set(ids).size, `${file}: no event doubled across the dropped socket`).toBe(ids.length)
      expect(
        events.filter((e) => e.kind === 'ActionEvent').map((e) => e.tool_name),
        `${file}: no action lost across the dropped socket: ${JSON.stringify((await readJson(join(dir!, 'result.json'))).agents)}`,
      ).toEqual(['send_message', 'terminal', 'finish'])
      expect(events.filter((e) => e.kind === 'ObservationEvent').length, `${file}: observations kept`).toBeGreaterThanOrEqual(2)
    }

    const solo = await runCli(['run', '-a', 'openhands_sdk', '--setting', 'solo', '-n', 'ohsolo', ...common('local')], w.options({ env, timeoutMs: 600_000 }))
    expect(solo.code, describeResult(solo)).toBe(0)
    const summary = await readJson(join(w.logs, 'ohsolo', 'summary.json'))
    expect(summary.eval, 'solo passes').toMatchObject({ passed: 1, failed: 0, errors: 0 })
  }, 900_000)

  it('a server that hangs: the agent wall-clock limit ends it as LimitsExceeded and no sandbox is left', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await workdir('oh-hang', ['--hang', 'llm'])
    const r = await runCli(['run', '-a', 'openhands', '-n', 'ohhang', '--agent-timeout', '5', ...common('local')], w.options({ env, timeoutMs: 300_000 }))
    expect(r.code, describeResult(r)).toBe(0)
    const dirs = await pairDirs(w.logs, 'ohhang', 'coop')
    expect(dirs).toHaveLength(1)
    for (const dir of dirs) {
      const result = await readJson(join(dir, 'result.json'))
      for (const agent of Object.values(result.agents as Record<string, { status: string }>)) expect(agent.status, dir).toBe('LimitsExceeded')
    }
    expect(spawnSync('pgrep', ['-f', `${serverDir}/server.js`]).status, 'a stand-in server still runs').not.toBe(0)
  }, 300_000)
})

async function readdirNames(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises')
  return readdir(dir)
}

type RawEvent = { id: string; kind: string; tool_name?: string }
/** The raw server events a trajectory keeps, in order. */
function rawEvents(trajectory: unknown): RawEvent[] {
  const messages = (Array.isArray(trajectory) ? trajectory : ((trajectory as { messages?: unknown[] }).messages ?? [])) as Array<{
    extra?: { openhands_event?: RawEvent }
  }>
  return messages.flatMap((m) => (m.extra?.openhands_event ? [m.extra.openhands_event] : []))
}
const eventKinds = (trajectory: unknown) => rawEvents(trajectory).map((e) => e.kind)
