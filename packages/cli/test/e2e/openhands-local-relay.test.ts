import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakeOpenHandsServerCommand, installFakeOpenHandsServer } from '@cooperbench/standins/openhands-server'
import { startScriptedLlmServer, textTurn } from '@cooperbench/testkit/llm-server'
import { describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli, demoPair } from './helpers.js'

/**
 * `-a openhands` on the local backend as it comes (no `network` option): each sandbox has a
 * loopback of its own, the bridge reaches its server through core's port relay, and the server
 * cannot reach a model on this machine. The run must end with its results and summary written
 * and no sandbox left, never with the harness killed by a relay stream's error (EPIPE).
 */
let installed: Awaited<ReturnType<typeof installFakeOpenHandsServer>> | undefined
let llm: Awaited<ReturnType<typeof startScriptedLlmServer>>
beforeAll(async () => {
  installed = await installFakeOpenHandsServer()
  llm = await startScriptedLlmServer({ script: async () => textTurn('unreachable from the sandbox') })
}, 120_000)
afterAll(async () => {
  llm?.close()
  await installed?.remove()
})

describe('openhands_sdk on the default local backend', () => {
  it('one coop pair through the port relay: the run ends with result.json and summary.json, the harness never crashes', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('oh-local-relay')
    const config = {
      agents: { openhands_sdk: { server_command: fakeOpenHandsServerCommand(installed!.dir, '{port}', ['--host', '127.0.0.1']), poll_seconds: 0.5 } },
    }
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify(config))
    const r = await runCli(
      ['run', '-a', 'openhands', '-n', 'ohrelay', ...demoPair(), '--backend', 'local', '-m', 'openai/scripted-model', '--model-base-url', llm.url],
      w.options({ env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, timeoutMs: 300_000 }),
    )
    expect(r.signal, describeResult(r)).toBeNull()
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|uncaught/i)
    expect(existsSync(join(w.logs, 'ohrelay', 'summary.json')), describeResult(r)).toBe(true)
    const [dir] = await pairDirs(w.logs, 'ohrelay', 'coop')
    const result = await readJson(join(dir!, 'result.json'))
    // The server started and answered through the relay; only its model was out of reach.
    for (const agent of Object.values(result.agents as Record<string, { status: string; error?: string }>)) {
      expect(agent.status, JSON.stringify(agent)).toBe('Error')
      expect(agent.error ?? '', JSON.stringify(agent)).not.toMatch(/exposePort|did not become ready|relay/i)
    }
  }, 300_000)
})
