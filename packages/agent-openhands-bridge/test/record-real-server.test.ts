import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'vitest'
import { FIXTURE_DIR } from './real-server-fixtures.js'
import { runServerScenario } from './server-scenario.js'

/**
 * Records what the real OpenHands agent server answers to the scenario of server-scenario.ts into
 * test/fixtures/openhands-server/ (replayed in CI by real-server-fixtures.test.ts). A developer tool,
 * skipped unless OPENHANDS_RECORD_SERVER names the command starting that server (`{port}` replaced):
 *
 *   OPENHANDS_RECORD_SERVER="$PWD/scripts/openhands-real-server/run-server.sh --host 127.0.0.1 --port {port}" \
 *     npx vitest run packages/agent-openhands-bridge/test/record-real-server.test.ts
 *
 * scripts/openhands-real-server/README.md builds that server from upstream source.
 */
const command = process.env.OPENHANDS_RECORD_SERVER

describe.skipIf(!command)('recording the real OpenHands agent server', () => {
  it('writes the fixtures', async () => {
    const record = await runServerScenario(command!)
    mkdirSync(FIXTURE_DIR, { recursive: true })
    for (const [name, value] of Object.entries(record)) writeFileSync(join(FIXTURE_DIR, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`)
  }, 300_000)
})
