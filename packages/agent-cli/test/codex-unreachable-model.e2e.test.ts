import { type ConformanceFixture, createConformanceFixture, freePort, localTestSandboxes, runAgentOnFixture } from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliAgent, codexProfile } from '../src/index.js'
import { hostBinaryOrFailInCi } from './support/cli-e2e.js'

/**
 * The real Codex CLI binary from npm, in a local sandbox with network, given a model base URL
 * whose port is closed: Codex retries it for ever (`Reconnecting... waiting for network`), so the
 * agent stops it after a bound of failed connections in a row (1 here, the cheapest proof; 5 in a
 * run) and ends it as an `infra` error, the real error first, rather than waiting out the
 * harness's bound.
 */
const binary = hostBinaryOrFailInCi(codexProfile)
const sandboxes = localTestSandboxes({ network: true })
let fixture: ConformanceFixture | undefined

beforeAll(async () => {
  if (binary !== null && !sandboxes.skip) fixture = await createConformanceFixture()
})
afterAll(async () => {
  await sandboxes.close()
  await fixture?.cleanup()
})

describe.skipIf(binary === null || sandboxes.skip)('codex with a model it cannot connect to', () => {
  it('is stopped after its failed connections in a row: Error, infra, the connection failure leading the error', async () => {
    const url = `http://127.0.0.1:${await freePort()}/v1`
    const agent = new CliAgent(codexProfile, { env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, connectionFailureLimit: 1 })
    const record = await runAgentOnFixture({
      agent,
      fixture: fixture!,
      createSandbox: sandboxes.create,
      model: 'openai/gpt-4o',
      options: { model_base_url: url, poll_seconds: 0.5 },
      runMs: 120_000,
    })
    const result = record.result!
    expect(result).toMatchObject({ status: 'Error', failure: 'infra', steps: 0 })
    expect(result.error).toMatch(
      new RegExp(
        `^codex cannot reach its model at ${url.replace(/\./g, '\\.')}: 1 connection attempt in a row failed ` +
          '\\(last: Reconnecting\\.\\.\\. waiting for network \\(Connection failed: error sending request\\)\\)',
      ),
    )
    // Codex's warnings of every run are not part of it.
    expect(result.error).not.toMatch(/PATH aliases|Reading additional input/)
  }, 180_000)
})
