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
 * mailbox every half second.
 */
export async function cliAgentWorkdir(prefix: string, agent: string, backends: Record<string, unknown> = { local: { network: true } }): Promise<Workdir> {
  const w = await makeWorkdir(prefix)
  await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ backends, agents: { [agent]: { poll_seconds: 0.5 } } }))
  return w
}

/** `run` arguments: the demo pair on `backend`, its agents calling the scripted `model` at `url`. */
export const scriptedPairArgs = (model: string, url: string, backend = 'local') => [...demoPair(), '--backend', backend, '-m', model, '--model-base-url', url]

/**
 * The pairs a CLI agent runs solo: confkit task 5's three demo pairs. Their gold patches apply
 * one after the other on two of them and overlap on the third ([1, 2]), where the gold model
 * reverses the first and applies the combined patch, so both ways a solo agent reaches the
 * oracle's verdict are taken. The whole demo subset runs once per backend (the backends' e2e).
 */
export const SOLO_PAIRS = { repo: 'confkit_task', task: 5, count: 3 } as const

/** `run` arguments: {@link SOLO_PAIRS} of the demo subset on `backend`, agents calling the scripted `model` at `url`. */
export const scriptedSoloArgs = (model: string, url: string, backend = 'local') => [
  '--dataset-dir',
  DEMO_DATASET,
  '-s',
  'demo',
  '-r',
  SOLO_PAIRS.repo,
  '-t',
  String(SOLO_PAIRS.task),
  '-c',
  '3',
  '--backend',
  backend,
  '-m',
  model,
  '--model-base-url',
  url,
]

/**
 * `agent` solo on {@link SOLO_PAIRS}, calling the scripted `model` at `url`: the run exits 0,
 * every pair's agent submitted, and every verdict is the committed one (the oracle's).
 */
export async function expectSoloAsOracle(w: Workdir, agent: string, model: string, url: string, env: Record<string, string>): Promise<void> {
  const run = `${agent}-solo`
  const solo = await runCli(['run', '-a', agent, '--setting', 'solo', '-n', run, ...scriptedSoloArgs(model, url)], w.options({ env, timeoutMs: 600_000 }))
  expect(solo.code, describeResult(solo)).toBe(0)
  const dirs = await pairDirs(w.logs, run, 'solo')
  expect(dirs).toHaveLength(SOLO_PAIRS.count)
  for (const dir of dirs) {
    const { agent } = await readJson(join(dir, 'result.json'))
    expect(agent.status, `${dir}: ${JSON.stringify(agent).slice(0, 2000)}`).toBe('Submitted')
  }
  expectPairsAsExpected(dirs, 'solo')
}
