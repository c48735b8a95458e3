import type { ScriptedTurn } from '@cooperbench/testkit/llm-server'
import { describe, expect, it } from 'vitest'
import { AgentServerClient } from '../src/index.js'
import { expectSubmitted, solveWithGoldPatch, standInRig } from './stand-in-rig.js'

/**
 * What the real agent server does that the bridge must handle, on the stand-in that models it
 * (its shapes checked against recordings of the real server in real-server-fixtures.test.ts).
 */
const rig = await standInRig()
const { sandboxes } = rig

const command = rig.command
const run = (script: (goldPatch: string) => ScriptedTurn[], serverArgs: string[] = []) => rig.run({ server_command: command(...serverArgs) }, script)
const solve = solveWithGoldPatch

describe.skipIf(sandboxes.skip)('the bridge on an agent server that behaves as upstream’s does', () => {
  it('spends no model call on a conversation title (autotitle: false)', async () => {
    const record = await run(solve)
    expectSubmitted(record)
    expect(record.requests.filter((request) => !request.body.tools?.length)).toEqual([])
    // LiteLLM has no price for the scripted model: tokens at no cost, which is unknown, never $0.
    expect(record.result).toMatchObject({ cost: 0, costUnknown: true })
    expect(record.result?.input_tokens).toBeGreaterThan(0)
  }, 90_000)

  it("sums the cost LiteLLM gives each call (its response-cost header): a priced model's cost is known", async () => {
    const priced = (goldPatch: string) => solve(goldPatch).map((turn) => ({ ...turn, headers: { 'x-litellm-response-cost': '0.0125' } }))
    const record = await run(priced)
    expectSubmitted(record)
    expect(record.result?.costUnknown).toBeUndefined()
    expect(record.result?.cost).toBeCloseTo(0.025)
  }, 90_000)

  it('runs the server outside the repository: its state files are not in the agent’s git status nor in the patch', async () => {
    const record = await run((goldPatch) => [
      { toolCalls: [{ name: 'terminal', arguments: { command: 'git status --porcelain --untracked-files=all' } }] },
      ...solve(goldPatch),
    ])
    expectSubmitted(record)
    const statusOutput = JSON.stringify(record.requests[1]?.body.messages.at(-1))
    expect(statusOutput).toContain('exit code 0')
    expect(statusOutput).not.toContain('conversations/')
    expect(record.patch).not.toContain('workspace/conversations')
  }, 90_000)

  it('refuses a server older than 1.28 at start, in one line that names both versions', async () => {
    const record = await run(solve, ['--server-version', '1.27.0'])
    expect(record.result?.status).toBe('Error')
    expect(record.result?.error).toMatch(/1\.27\.0.*1\.28\.0 or later/)
    expect(record.result?.error).not.toContain('\n')
    expect(record.requests).toEqual([])
  }, 90_000)

  it('authenticates the event socket with its first frame, not the deprecated query key', () => {
    const client = new AgentServerClient('http://127.0.0.1:1', 'the-key')
    for (const since of [null, '2026-01-01T00:00:00']) expect(client.socketUrl('c', since)).not.toContain('the-key')
    expect(JSON.parse(client.socketAuthFrame())).toEqual({ type: 'auth', session_api_key: 'the-key' })
  })
})
