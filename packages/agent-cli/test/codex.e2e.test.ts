import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { responsesRequestTexts, startScriptedResponsesServer } from '@cooperbench/testkit'
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
import { codexProfile } from '../src/index.js'
import { cliAgentWorkdir, hostBinaryOrFailInCi, scriptedPairArgs } from './support/cli-e2e.js'
import { expectCoopSubmitted } from './support/coop-checks.js'
import { goldCliModel } from './support/gold-model.js'
import { cleanedImagesOf, dockerImageNames } from '../../backend-docker/test/cleaned-images.js'
import { codexShell } from './support/shell-calls.js'

/**
 * Agent `codex` end to end with the real Codex CLI binary from npm against the scripted OpenAI
 * Responses server, through `cooperbench run`: the demo pair in coop with --git on docker (the
 * binary layered into the task image; messages both ways, a push and a fetch, tokens, the
 * oracle's verdicts), and on the local backend a model that never stops calling tools, which
 * Codex cannot limit itself: the harness stops it at the step limit.
 *
 * Codex on the local backend is also the conformance suite's (codex.conformance.test.ts: solo on
 * the fixture, a mailbox, messages queued before the start, the team setting) and team-mcp's (a
 * team run through `cooperbench run`, a message waited for); solo through `cooperbench run` on a
 * pair whose gold patches overlap is claude_code's (claude-code.e2e.test.ts): the setting and the
 * run's record are the same code for every CLI.
 */
const binary = hostBinaryOrFailInCi(codexProfile)
const engine = dockerEngineAnswers('the codex docker e2e')
const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
let model: Awaited<ReturnType<typeof startScriptedResponsesServer>>
let endless: Awaited<ReturnType<typeof startScriptedResponsesServer>>

/** Assistant turns so far: the function calls and assistant messages a Responses request carries. */
const turnsOf = (input: unknown) =>
  Array.isArray(input) ? input.filter((item: { type?: string; role?: string }) => item.type === 'function_call' || item.role === 'assistant').length : 0

beforeAll(async () => {
  // Every demo repository's features: the gold model knows each one by its text.
  const play = goldCliModel(await featureIndex(), codexShell)
  model = await startScriptedResponsesServer({
    script: (request) => play({ texts: responsesRequestTexts(request.body), assistantTurns: turnsOf(request.body.input) }),
  })
  endless = await startScriptedResponsesServer({
    script: (_request, turn) => ({ toolCalls: [{ name: 'exec_command', arguments: { cmd: `echo step ${turn}` } }] }),
  })
})
afterAll(async () => {
  await model?.close()
  await endless?.close()
})

const workdir = (prefix: string) => cliAgentWorkdir(prefix, 'codex')
const common = (url: string) => scriptedPairArgs('openai/scripted-model', url)

describe.skipIf(binary === null)('codex with the real Codex CLI binary', () => {
  it('a model that never stops: the harness stops Codex at the step limit (LimitsExceeded), no process or sandbox is left', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await workdir('codex-steps')
    const r = await runCli(
      ['run', '-a', 'codex', '-n', 'cdxsteps', '--setting', 'solo', '--step-limit', '3', ...common(endless.url)],
      w.options({ env, timeoutMs: 300_000 }),
    )
    expect(r.code, describeResult(r)).toBe(0)
    const [dir] = await pairDirs(w.logs, 'cdxsteps', 'solo')
    const text = JSON.stringify(await readJson(join(dir!, 'result.json')))
    expect(text).toContain('"status":"LimitsExceeded"')
    expect(text).toContain('step limit of 3 reached')
    await expectNothingLeft(w)
  }, 300_000)

  it.skipIf(!engine)(
    'coop with --git on docker: `images build --agent codex` layers the binary and smoke-runs it; both submit with tokens, messages both ways, push and fetch, verdicts equal the oracle’s',
    async () => {
      const w = await cliAgentWorkdir('codex-docker', 'codex', { backends: { docker: { network: 'host', buildNetwork: 'none', pull: 'never' } } })
      const suffix = `-cli-codex-${codexProfile.npm.version}`
      let layered: string[] = []
      const before = dockerImageNames()
      try {
        const built = await runCli(
          ['images', 'build', '-r', 'textkit_task', '-t', '7', '--dataset-dir', DEMO_DATASET, '--agent', 'codex', '--force'],
          w.options({ timeoutMs: 600_000 }),
        )
        layered = built.stdout.split('\n').flatMap((line) => line.split(/\s+/).filter((word) => word.endsWith(suffix)))
        expect(built.code, describeResult(built)).toBe(0)
        expect(built.stdout).toMatch(new RegExp(`:task7${suffix.replaceAll('.', '\\.')}\\s+built`))
        const coop = await runCli(
          ['run', '-a', 'codex', '-n', 'cdxdocker', '--git', ...scriptedPairArgs('openai/scripted-model', model.url, 'docker')],
          w.options({ env, timeoutMs: 600_000 }),
        )
        expect(coop.code, describeResult(coop)).toBe(0)
        const [dir] = await pairDirs(w.logs, 'cdxdocker', 'coop')
        await expectCoopSubmitted(dir!, (name, agent) => {
          expect(agent.patch_source, `${name}: the harness's diff of its tree is what is judged`).toBe('harness_diff')
          expect(agent.input_tokens, `${name}: the tokens Codex reported`).toBeGreaterThan(0)
          expect(agent.steps, `${name}: one step per model turn (message, apply, push and fetch, read, answer)`).toBe(5)
          // Codex reports no cost: unknown, never $0.
          expect(agent, `${name}: its cost unknown, not $0`).toMatchObject({ cost: 0, cost_unknown: true })
        })
        const trajectory = JSON.stringify(await readJson(join(dir!, 'agent1_traj.json')).catch(() => null))
        expect(trajectory, 'the push and fetch of agent1').toContain('team/agent1')
      } finally {
        if (layered.length > 0) spawnSync('docker', ['image', 'rm', '-f', ...cleanedImagesOf(layered, before), ...layered], { stdio: 'ignore' })
      }
    },
    900_000,
  )
})
