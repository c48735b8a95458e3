import {
  type AgentRunRecord,
  applyPatchCommand,
  type ConformanceFixture,
  createConformanceFixture,
  type LocalTestSandboxes,
  localTestSandboxes,
  runAgentOnFixture,
} from '@cooperbench/testkit'
import type { ScriptedTurn } from '@cooperbench/testkit/llm-server'
import { fakeOpenHandsServerCommand, installFakeOpenHandsServer } from '@cooperbench/standins/openhands-server'
import { afterAll, beforeAll, expect } from 'vitest'
import { OpenHandsBridgeAgent } from '../src/index.js'

/** What a test file of the bridge on the installed OpenHands stand-in works with. */
export interface StandInRig {
  /** Local sandboxes on this machine's network, where a port the server wants can really be taken. */
  sandboxes: LocalTestSandboxes
  /** The stand-in's server command on 127.0.0.1 (`{port}` left to the bridge), with `args` added. */
  command(...args: string[]): string
  /** The conformance fixture, made before the file's tests. */
  readonly fixture: ConformanceFixture
  /** Runs the bridge on the fixture with these options (`poll_seconds: 0.2` added) and a scripted model, by default {@link solveWithGoldPatch}. */
  run(options: Record<string, unknown>, script?: (goldPatch: string) => ScriptedTurn[]): Promise<AgentRunRecord>
}

/** A model that applies the gold patch, then finishes. */
export const solveWithGoldPatch = (goldPatch: string): ScriptedTurn[] => [
  { toolCalls: [{ name: 'terminal', arguments: { command: applyPatchCommand(goldPatch) } }] },
  { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] },
]

/** The run ended Submitted with a patch. */
export function expectSubmitted(record: AgentRunRecord): void {
  expect(record.rejection).toBeUndefined()
  expect(record.result?.status, record.result?.error ?? '').toBe('Submitted')
  expect(record.patch).not.toBe('')
}

/** Installs the stand-in and makes the fixture for this test file; all of it is removed after its tests. */
export async function standInRig(): Promise<StandInRig> {
  const sandboxes = localTestSandboxes({ network: true })
  const server = await installFakeOpenHandsServer()
  let fixture: ConformanceFixture | undefined
  beforeAll(async () => {
    fixture = await createConformanceFixture()
  }, 120_000)
  afterAll(async () => {
    await fixture?.cleanup()
    await sandboxes.close()
    await server.remove()
  })
  const rig: StandInRig = {
    sandboxes,
    command: (...args) => fakeOpenHandsServerCommand(server.dir, '{port}', ['--host', '127.0.0.1', ...args]),
    get fixture() {
      if (fixture === undefined) throw new Error('the conformance fixture is made in beforeAll: use it inside a test')
      return fixture
    },
    run: (options, script = solveWithGoldPatch) =>
      runAgentOnFixture({
        agent: new OpenHandsBridgeAgent(),
        fixture: rig.fixture,
        createSandbox: sandboxes.create,
        model: 'openai/scripted-model',
        options: { poll_seconds: 0.2, ...options },
        script: ({ goldPatch }: { goldPatch: string }) => script(goldPatch),
      }),
  }
  return rig
}
