import { fileURLToPath } from 'node:url'
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { TESTED_SERVER_VERSION } from '../src/index.js'
import { recordLiveResults } from '@cooperbench/testkit'
import { demoPair } from '../../cli/test/e2e/helpers.js'

/**
 * The bridge against the real OpenHands agent server, only when its image is on this machine
 * and a model key is set; skipped otherwise, CI included. To run it:
 *
 *   docker pull ghcr.io/openhands/agent-server:<version>-python     (OPENHANDS_LIVE_IMAGE to name another)
 *   pnpm images:base && node packages/cli/bin/run.js images build -r textkit_task --agent openhands \
 *     (with backends.docker.buildArgs.SERVER_IMAGE set to that image in cooperbench.config.json)
 *   OPENAI_API_KEY=sk-… pnpm exec vitest run packages/agent-openhands-bridge/test/live.test.ts
 *
 * It runs one coop pair of the demo subset with `-a openhands -m openai/gpt-5-mini` on docker
 * (bridge network, so the server reaches the model) and expects both agents to finish.
 */
const image = process.env.OPENHANDS_LIVE_IMAGE ?? `ghcr.io/openhands/agent-server:${TESTED_SERVER_VERSION}-python`
const present = spawnSync('docker', ['image', 'inspect', image], { stdio: 'ignore' }).status === 0
const key = process.env.OPENAI_API_KEY ?? process.env.LLM_API_KEY
const skip = !present ? `the agent server image ${image} is not on this machine` : !key ? 'no model key (OPENAI_API_KEY or LLM_API_KEY)' : false

describe.skipIf(skip)(`openhands_sdk against the real agent server${skip ? ` (${skip})` : ''}`, () => {
  // The last real result, which docs/live-results/README.md points to.
  recordLiveResults(
    fileURLToPath(new URL('../../../docs/live-results/openhands.json', import.meta.url)),
    'openhands_sdk against the real agent server (docker, openai/gpt-5-mini)',
    'OPENAI_API_KEY=… pnpm exec vitest run packages/agent-openhands-bridge/test/live.test.ts',
  )
  it('runs a demo coop pair to Submitted on docker', () => {
    const root = new URL('../../..', import.meta.url).pathname
    const run = spawnSync(
      process.execPath,
      [
        `${root}packages/cli/bin/run.js`,
        'run',
        '-a',
        'openhands',
        '-m',
        process.env.OPENHANDS_LIVE_MODEL ?? 'openai/gpt-5-mini',
        ...demoPair(),
        '--backend',
        'docker',
        '-n',
        `oh-live-${process.pid}`,
      ],
      { encoding: 'utf8', timeout: 1_800_000 },
    )
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
  }, 1_900_000)
})
