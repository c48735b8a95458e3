import { writeFile } from 'node:fs/promises'
import { expect } from 'vitest'
import { join } from 'node:path'
import { expectPairsAsExpected } from '../../../cli/test/e2e/expected-verdicts.js'
import { DEMO_DATASET, demoPair, describeResult, makeWorkdir, pairDirs, readJson, runCli, type Workdir } from '../../../cli/test/e2e/helpers.js'
import { type CliProfile, hostBinary } from '../../src/index.js'

/** The CLI agents' end-to-end tests through `cooperbench run`: what every profile's file sets up alike. */

/** The profile's CLI binary on this machine, or null (its tests then skip); under CI a missing binary fails the file instead. */
export function hostBinaryOrFailInCi(profile: CliProfile): string | null {
  const binary = hostBinary(profile)
  if (binary === null && process.env.CI) throw new Error(`${profile.npm.package}@${profile.npm.version} is not installed, and CI is set`)
  return binary
}

/**
 * A workdir whose config lets `agent` reach the scripted model on 127.0.0.1 from its sandboxes
 * (local sandboxes share this machine's network; `backends` may add others) and poll its
 * mailbox every `pollSeconds`: half a second by default, so that a message reaches the teammate
 * well within the gold model's 3 s before check_messages. Each poll is a command in the sandbox
 * (tens of milliseconds of CPU), so a run whose checks wait on no poll takes the agent's own 2 s.
 */
export async function cliAgentWorkdir(
  prefix: string,
  agent: string,
  { backends = { local: { network: true } }, pollSeconds = 0.5 }: { backends?: Record<string, unknown>; pollSeconds?: number } = {},
): Promise<Workdir> {
  const w = await makeWorkdir(prefix)
  await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ backends, agents: { [agent]: { poll_seconds: pollSeconds } } }))
  return w
}

/** `run` arguments: the demo pair on `backend`, its agents calling the scripted `model` at `url`. */
export const scriptedPairArgs = (model: string, url: string, backend = 'local') => [...demoPair(), '--backend', backend, '-m', model, '--model-base-url', url]

/**
 * The pair a CLI agent runs solo: confkit task 5's features 1 and 2, whose gold patches overlap,
 * so the gold model applies the first, sees the second fail, reverses the first and applies the
 * combined patch: the harder of the two ways a solo agent reaches the oracle's verdict (the other,
 * one patch after the other, is the same single shell command to the CLI). One pair is enough:
 * what a CLI agent does solo is per pair; every demo pair's solo verdict with the gold patches is
 * checked by packages/cli/test/eval/demo-dataset.test.ts.
 */
export const SOLO_PAIR = { repo: 'confkit_task', task: 5, features: '1,2' } as const

/** `run` arguments: {@link SOLO_PAIR} on `backend`, its agent calling the scripted `model` at `url`. */
export const scriptedSoloArgs = (model: string, url: string, backend = 'local') => [
  '--dataset-dir',
  DEMO_DATASET,
  '-r',
  SOLO_PAIR.repo,
  '-t',
  String(SOLO_PAIR.task),
  '-f',
  SOLO_PAIR.features,
  '--backend',
  backend,
  '-m',
  model,
  '--model-base-url',
  url,
]

/**
 * `agent` solo on {@link SOLO_PAIR}, calling the scripted `model` at `url`: the run exits 0, the
 * pair's agent submitted, and its verdict is the committed one (the oracle's).
 */
export async function expectSoloAsOracle(w: Workdir, agent: string, model: string, url: string, env: Record<string, string>): Promise<void> {
  const run = `${agent}-solo`
  const solo = await runCli(['run', '-a', agent, '--setting', 'solo', '-n', run, ...scriptedSoloArgs(model, url)], w.options({ env, timeoutMs: 600_000 }))
  expect(solo.code, describeResult(solo)).toBe(0)
  const dirs = await pairDirs(w.logs, run, 'solo')
  expect(dirs).toHaveLength(1)
  for (const dir of dirs) {
    const { agent } = await readJson(join(dir, 'result.json'))
    expect(agent.status, `${dir}: ${JSON.stringify(agent).slice(0, 2000)}`).toBe('Submitted')
  }
  expectPairsAsExpected(dirs, 'solo')
}
