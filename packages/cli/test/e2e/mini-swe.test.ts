import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { finalTurn, startScriptedLlmServer, textTurn, toolCall } from '@cooperbench/testkit/llm-server'
import { redisServerSkipReason, startRedisServer } from '@cooperbench/testkit'
import { type FeatureRef, featureIndex, heredoc, soloApplyCommand } from './gold-features.js'
import { expectPairsAsExpected } from './expected-verdicts.js'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli, type Workdir } from './helpers.js'

/**
 * The default agent end to end, driven by a scripted OpenAI-compatible server standing in for a
 * model: in coop each agent first messages its teammate, then applies its feature's gold patch
 * with a heredoc, then submits; in solo one agent applies both features (gold patches in turn,
 * else the task's combined.patch without tests). The harness, the LLM client, messaging,
 * sandboxes and evaluation are all real.
 */
type Message = { role: string; content?: unknown }
const text = (m: Message | undefined) => (typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? ''))

function goldModel(features: FeatureRef[]) {
  return async (request: { body: { messages: Message[]; tools?: unknown[] } }) => {
    const messages = request.body.messages
    if (!request.body.tools || request.body.tools.length === 0) return textTurn('Summary: nothing to add.')
    const task = text(messages.find((m) => m.role === 'user'))
    const mine = features.filter((f) => task.includes(f.spec))
    const steps = messages.filter((m) => m.role === 'assistant').length
    const usage = { promptTokens: 1200 + 100 * steps, completionTokens: 40, cachedTokens: 0 }
    // A pair says "Your teammate is **agent2**", a larger team "Your teammates are **agent2** and **agent3**".
    const team = /You are \*\*(agent\d+)\*\*\. Your teammates? (?:is|are) \*\*(agent\d+)\*\*/.exec(task)
    if (team && mine.length === 1) {
      const [feature] = mine
      const plan = [
        toolCall(`send_message ${team[2]} "${team[1]} here: I am implementing feature ${feature!.id}."`, { usage }),
        toolCall(`${heredoc('/tmp/gold.patch', feature!.gold)}\ngit apply /tmp/gold.patch && rm /tmp/gold.patch`, { usage }),
        finalTurn({ usage }),
      ]
      return plan[Math.min(steps, plan.length - 1)]!
    }
    if (!team && mine.length === 2) {
      const [a, b] = mine.sort((x, y) => x.id - y.id)
      return [toolCall(await soloApplyCommand(a!, b!), { usage }), finalTurn({ usage })][Math.min(steps, 1)]!
    }
    return textTurn(`cannot tell which feature this is (${mine.length} matched)`, { usage })
  }
}

const engine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0
let server: Awaited<ReturnType<typeof startScriptedLlmServer>>

beforeAll(async () => {
  server = await startScriptedLlmServer({ script: goldModel(await featureIndex()) as never })
})
afterAll(() => server?.close())

describe('mini_swe_agent with a scripted model on the demo subset', () => {
  for (const backend of ['local', 'docker'] as const) {
    it.skipIf(backend === 'docker' && !engine && !process.env.CI)(
      `${backend === 'local' ? 'coop over Redis, solo and a team of three' : 'coop'} on ${backend}: everything submits, evaluations are the oracle's, messages and tokens are recorded`,
      async (ctx) => {
        if (backend === 'local') requireLocalBackend(ctx)
        const w = await makeWorkdir(`msa-${backend}`)
        const { writeFile } = await import('node:fs/promises')
        await writeFile(
          join(w.cwd, 'cooperbench.config.json'),
          JSON.stringify({ backends: { docker: { network: 'none', buildNetwork: 'none', pull: 'never' } } }),
        )
        const model = ['--dataset-dir', DEMO_DATASET, '--backend', backend, '-c', '4', '-m', 'openai/scripted-model', '--model-base-url', server.url]
        // On local, three pairs of the demo subset: two whose gold patches conflict and one that
        // merges cleanly. On docker, the one that merges cleanly: the agent's path is the same, only
        // its sandboxes are containers (docker.test runs the oracle on a conflicting pair there). This
        // agent runs on the cloud stand-ins too (gcp.test: confkit task 5's pairs; modal.test: textkit's
        // pairs of features 1 and 2).
        const coopPairs = backend === 'local' ? ['-s', 'demo', '-r', 'routekit_task', '-t', '8'] : ['-r', 'routekit_task', '-t', '8', '-f', '1,4']
        // Solo, a pair whose gold patches overlap: the agent applies them in turn, else the combined patch.
        const soloPair = ['-r', 'confkit_task', '-t', '5', '-f', '1,2']
        const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }

        // Solo on local only: what one agent does with both features is the agent's, the same in a
        // container (docker.test.ts runs the oracle's solo pairs there).
        if (backend === 'local') {
          const solo = await runCli(
            ['run', '-a', 'mini_swe_agent', '--setting', 'solo', '-n', 'solo', ...soloPair, ...model],
            w.options({ env, timeoutMs: 600_000 }),
          )
          expect(solo.code, describeResult(solo)).toBe(0)
          expect(await readJson(join(w.logs, 'solo', 'summary.json'))).toMatchObject({ total_tasks: 1, eval: { passed: 1, failed: 0, errors: 0 } })
          expectPairsAsExpected(await pairDirs(w.logs, 'solo', 'solo'), 'solo')
        }

        // On local the coop pairs' messages go over a real Redis (the bus is the pair's, whichever
        // agent sends on it; under CI there always is one); on Docker over the memory bus.
        const redis = backend === 'local' && !redisServerSkipReason() ? await startRedisServer() : null
        const bus = redis === null ? [] : ['--redis', redis.url]
        let coop: Awaited<ReturnType<typeof runCli>>
        try {
          coop = await runCli(['run', '-a', 'mini_swe_agent_v2', '-n', 'coop', ...bus, ...coopPairs, ...model], w.options({ env, timeoutMs: 600_000 }))
        } finally {
          await redis?.stop()
        }
        expect(coop.code, describeResult(coop)).toBe(0)
        if (redis !== null) {
          const config = await readJson(join(w.logs, 'coop', 'config.json'))
          expect(config.fingerprint, 'the coop run is recorded as one over Redis').toMatchObject({ bus: 'redis' })
        }

        let delivered = 0
        const agentPairs = await pairDirs(w.logs, 'coop', 'coop')
        expect(agentPairs).toHaveLength(backend === 'local' ? 3 : 1)
        // The evaluations are the oracle's (dataset/expected/demo-verdicts.json).
        expectPairsAsExpected(agentPairs, 'coop')
        for (const dir of agentPairs) {
          const result = await readJson(join(dir, 'result.json'))
          expect(result.agents.agent1, dir).toMatchObject({
            status: 'Submitted',
            steps: 3,
            input_tokens: 1200 + 1300 + 1400,
            output_tokens: 120,
            patch_source: 'harness_diff',
          })
          expect(result.agents.agent2.status, dir).toBe('Submitted')
          expect(result.messages_sent, dir).toBe(2)
          const conversation = await readJson(join(dir, 'conversation.json'))
          expect(conversation.map((m: { from: string; to: string }) => `${m.from}->${m.to}`).sort()).toEqual(['agent1->agent2', 'agent2->agent1'])
          expect(conversation[0].message).toMatch(/here: I am implementing feature \d+\./)
          // Whether a note arrives before its reader's last step is a race between the two agents;
          // when it arrives it is shown exactly once, as `[Message from <peer>]: …`.
          for (const [self, peer] of [
            [0, 'agent2'],
            [1, 'agent1'],
          ] as const) {
            const trajectory = await readJson(join(dir, `agent${result.features[self]}_traj.json`))
            const notes = trajectory.messages.filter((m: { content: string }) =>
              m.content.startsWith(`[Message from ${peer}]: ${peer} here: I am implementing feature`),
            )
            expect(notes.length, dir).toBeLessThanOrEqual(1)
            delivered += notes.length
            expect(trajectory.messages.at(-1).role).toBe('exit')
          }
        }
        expect(delivered, 'no note was ever shown to its reader').toBeGreaterThan(0)

        // A team of three (on local; docker.test runs the oracle's teams there): three agents submit,
        // each messages its first teammate, the verdict equals the oracle's.
        if (backend === 'local') await expectAgentTeamsAsOracle(w, backend, env)

        // The key never lands in any file of the run.
        const grep = spawnSync('grep', ['-rl', env.OPENAI_API_KEY, w.logs], { encoding: 'utf8' })
        expect(grep.stdout).toBe('')
      },
      900_000,
    )
  }
})

async function expectAgentTeamsAsOracle(w: Workdir, backend: string, env: Record<string, string>): Promise<void> {
  // One team: which triples a task has is the selection's business (teams.test.ts). This one is of
  // the team3_clean subset, whose gold patches merge cleanly and pass all three features (teams.test.ts
  // runs the oracle on it): the oracle's verdict, without running the oracle again here.
  const teamArgs = ['-r', 'routekit_task', '-t', '8', '-f', '1,3,4', '--agents', '3', '--dataset-dir', DEMO_DATASET, '--backend', backend]
  const agentTeams = await runCli(
    ['run', '-a', 'mini_swe_agent', '-n', 'teams', ...teamArgs, '-m', 'openai/scripted-model', '--model-base-url', server.url],
    w.options({ env, timeoutMs: 600_000 }),
  )
  expect(agentTeams.code, describeResult(agentTeams)).toBe(0)
  const teamDirs = await pairDirs(w.logs, 'teams', 'coop')
  expect(teamDirs).toHaveLength(1)
  for (const dir of teamDirs) {
    const result = await readJson(join(dir, 'result.json'))
    expect(
      Object.values(result.agents).map((a: any) => a.status),
      dir,
    ).toEqual(['Submitted', 'Submitted', 'Submitted'])
    expect(result.messages_sent, dir).toBe(3)
    const conversation = await readJson(join(dir, 'conversation.json'))
    expect(conversation.map((m: { from: string; to: string }) => `${m.from}->${m.to}`).sort()).toEqual(['agent1->agent2', 'agent2->agent1', 'agent3->agent1'])
    const verdict = await readJson(join(dir, 'eval.json'))
    expect({ all: verdict.all_passed, merge: verdict.merge.status }, `${dir}: the oracle's verdict of a team3_clean triple`).toEqual({
      all: true,
      merge: 'clean',
    })
  }
}
