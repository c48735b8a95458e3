import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { anthropicRequestTexts, startScriptedAnthropicServer } from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { featureIndex } from '../../cli/test/e2e/gold-features.js'
import {
  DEMO_DATASET,
  describeResult,
  dockerEngineAnswers,
  expectNothingLeft,
  pairDirs,
  readJson,
  requireLocalBackend,
  runCli,
} from '../../cli/test/e2e/helpers.js'
import { claudeCodeProfile } from '../src/index.js'
import { cliAgentWorkdir, expectSoloAsOracle, hostBinaryOrFailInCi, scriptedPairArgs } from './support/cli-e2e.js'
import { expectCoopSubmitted } from './support/coop-checks.js'
import { goldCliModel } from './support/gold-model.js'
import { cleanedImagesOf, dockerImageNames } from '../../backend-docker/test/cleaned-images.js'
import { claudeCodeShell } from './support/shell-calls.js'

/**
 * Agent `claude_code` end to end with the real Claude Code binary from npm against the scripted
 * Anthropic Messages server, through `cooperbench run`: on the local backend, one demo pair solo
 * (SOLO_PAIR) under a model name Claude Code prices, and a model that hangs stopped by the agent
 * wall-clock limit; on docker, the binary layered into the task image, one demo pair in coop with
 * --git (messages both ways through send_message/check_messages, a push and a fetch, what the run
 * records of each agent).
 *
 * Claude Code on the local backend in coop is also the conformance suite's
 * (claude-code.conformance.test.ts: a mailbox; third-party-profile.test.ts, the same binary:
 * messages queued before the start), team-mcp's (a team run through `cooperbench run`, a message
 * waited for) and claude-code-reference's (coop with and without messaging): the coop run's record
 * is the same code on every backend.
 */
const REPO = 'textkit_task'
const PAIR = ['-r', REPO, '-t', '7', '-f', '1,2']
const binary = hostBinaryOrFailInCi(claudeCodeProfile)
const engine = dockerEngineAnswers('the claude_code docker e2e')
const env = { ANTHROPIC_API_KEY: 'sk-ant-test-not-a-real-key' }
let model: Awaited<ReturnType<typeof startScriptedAnthropicServer>>
let hanging: Awaited<ReturnType<typeof startScriptedAnthropicServer>>

beforeAll(async () => {
  // Every demo repository's features: the gold model knows each one by its text.
  const play = goldCliModel(await featureIndex(), claudeCodeShell)
  model = await startScriptedAnthropicServer({
    script: (request) =>
      play({
        texts: anthropicRequestTexts(request.body),
        assistantTurns: request.body.messages.filter((m) => m.role === 'assistant').length,
      }),
  })
  hanging = await startScriptedAnthropicServer({ script: () => ({ content: 'never sent', delayMs: 600_000 }) })
})
afterAll(async () => {
  await model?.close()
  await hanging?.close()
})

// Docker too: the host's network, so that the scripted server on 127.0.0.1 is reachable; no network in builds.
const workdir = (prefix: string) =>
  cliAgentWorkdir(prefix, 'claude_code', { backends: { local: { network: true }, docker: { network: 'host', buildNetwork: 'none', pull: 'never' } } })
const common = (url: string, backend = 'local') => scriptedPairArgs('anthropic/scripted-model', url, backend)

describe.skipIf(binary === null)('claude_code with the real Claude Code binary', () => {
  it('solo on a demo pair whose gold patches overlap: the oracle’s verdict; under a model name Claude Code’s price table knows, the dollars it reports', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await workdir('cc-solo')
    await expectSoloAsOracle(w, 'claude_code', 'anthropic/claude-sonnet-4-5', model.url, env)
    const [solo] = await pairDirs(w.logs, 'claude_code-solo', 'solo')
    const { agent: priced } = await readJson(join(solo!, 'result.json'))
    expect(priced.cost, 'a known model: its cost known').toBeGreaterThan(0)
    expect(priced.cost_unknown, 'a known model: not marked unknown').toBeUndefined()
  }, 600_000)

  // Solo: the limit stops each agent's CLI on its own, so one agent shows it as well as two.
  it('a model that never answers: the agent wall-clock limit stops the CLI (LimitsExceeded), no CLI process or sandbox is left', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await workdir('cc-hang')
    const r = await runCli(
      ['run', '-a', 'claude_code', '-n', 'cchang', '--setting', 'solo', '--agent-timeout', '20', ...common(hanging.url)],
      w.options({ env, timeoutMs: 300_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const [dir] = await pairDirs(w.logs, 'cchang', 'solo')
    const { agent } = await readJson<{ agent: { status: string; error: unknown } }>(join(dir!, 'result.json'))
    expect(agent.status, `${dir}: ${String(agent.error)}`).toBe('LimitsExceeded')
    expect(hanging.modelRequests().length, 'the CLI called the hanging model').toBeGreaterThan(0)
    await expectNothingLeft(w)
  }, 300_000)

  it.skipIf(!engine)(
    'coop with --git on docker: `images build --agent claude_code` layers the binary and smoke-runs it; both submit, messages both ways, push and fetch, the stream and session logs kept, verdicts equal the oracle’s',
    async () => {
      const w = await workdir('cc-docker')
      let layered: string[] = []
      const before = dockerImageNames()
      try {
        const built = await runCli(
          ['images', 'build', ...PAIR.slice(0, 4), '--dataset-dir', DEMO_DATASET, '--agent', 'claude_code', '--force'],
          w.options({ timeoutMs: 600_000 }),
        )
        layered = built.stdout
          .split('\n')
          .flatMap((line) => line.split(/\s+/).filter((word) => word.endsWith(`-cli-claude-code-${claudeCodeProfile.npm.version}`)))
        expect(built.code, describeResult(built)).toBe(0)
        expect(built.stdout).toMatch(/:task7-cli-claude-code-[\d.]+\s+built/)
        const coop = await runCli(
          ['run', '-a', 'claude_code', '-n', 'ccdocker', '--git', ...common(model.url, 'docker')],
          w.options({ env, timeoutMs: 600_000 }),
        )
        expect(coop.code, describeResult(coop)).toBe(0)
        const [dir] = await pairDirs(w.logs, 'ccdocker', 'coop')
        const conversation = await expectCoopSubmitted(dir!, (name, agent) => {
          expect(agent.patch_source, `${name}: the harness's diff of its tree is what is judged`).toBe('harness_diff')
          expect(agent.input_tokens, `${name}: the tokens Claude Code reported`).toBeGreaterThan(0)
          // Claude Code prices a model it does not know by a guess (costBasis "unknown"): no cost, never $0.
          expect(agent, `${name}: an unknown model's cost unknown, not $0`).toMatchObject({ cost: 0, cost_unknown: true })
        })
        expect(conversation[0]!.message, 'the message send_message sent').toMatch(/^agent\d here: I am implementing feature \d/)
        const trajectory = JSON.stringify(await readJson(join(dir!, 'agent1_traj.json')).catch(() => null))
        expect(trajectory, 'the push and fetch of agent1').toContain('team/agent1')
        expect(trajectory, 'check_messages showed agent2’s message').toContain('[Message from agent2]: agent2 here')
        expect(trajectory, 'the raw stream kept').toContain('"cli_stream":["{\\"type\\":\\"system\\"')
        expect(trajectory, 'the session log kept').toMatch(/"cli_session_logs":\{".claude\/projects\/[^"]+\.jsonl":"\{/)
      } finally {
        if (layered.length > 0) spawnSync('docker', ['image', 'rm', '-f', ...cleanedImagesOf(layered, before), ...layered], { stdio: 'ignore' })
      }
    },
    900_000,
  )
})
