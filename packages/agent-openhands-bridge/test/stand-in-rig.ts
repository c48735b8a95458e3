import { type ConformanceFixture, createConformanceFixture, type LocalTestSandboxes, localTestSandboxes } from '@cooperbench/testkit'
import { fakeOpenHandsServerCommand, installFakeOpenHandsServer } from '@cooperbench/standins/openhands-server'
import { afterAll, beforeAll } from 'vitest'

/** What a test file of the bridge on the installed OpenHands stand-in works with. */
export interface StandInRig {
  /** Local sandboxes on this machine's network, where a port the server wants can really be taken. */
  sandboxes: LocalTestSandboxes
  /** The stand-in's server command on 127.0.0.1 (`{port}` left to the bridge), with `args` added. */
  command(...args: string[]): string
  /** The conformance fixture, made before the file's tests. */
  readonly fixture: ConformanceFixture
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
  return {
    sandboxes,
    command: (...args) => fakeOpenHandsServerCommand(server.dir, '{port}', ['--host', '127.0.0.1', ...args]),
    get fixture() {
      if (fixture === undefined) throw new Error('the conformance fixture is made in beforeAll: use it inside a test')
      return fixture
    },
  }
}
