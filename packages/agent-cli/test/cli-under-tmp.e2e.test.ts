import { checkSolvesFixture, type ConformanceFixture, createConformanceFixture, localTestSandboxes } from '@cooperbench/testkit'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliAgent, hostBinary } from '../src/index.js'
import { cliRunSettings } from './support/cli-conformance.js'
import { CLI_SETUPS } from './support/cli-setups.js'
import { installUnderTmp, type TmpInstall } from './support/install-under-tmp.js'

/**
 * The CLIs installed in a folder under `/tmp` (a checkout there, an npm prefix there), which
 * local sandboxes cover with a `/tmp` of their own: each agent still runs its CLI in the sandbox
 * and solves the conformance fixture.
 */
const setups = Object.values(CLI_SETUPS)
const sandboxes = localTestSandboxes({ network: true })
const missing = setups.some(({ profile }) => hostBinary(profile) === null) && !process.env.CI ? 'a CLI of this package is not installed' : false
let install: TmpInstall | undefined
let fixture: ConformanceFixture | undefined

beforeAll(async () => {
  if (sandboxes.skip || missing) return
  install = await installUnderTmp(setups.map(({ profile }) => profile))
  fixture = await createConformanceFixture()
}, 300_000)
afterAll(async () => {
  await sandboxes.close()
  await fixture?.cleanup()
  await install?.remove()
})

describe.skipIf(sandboxes.skip || missing)('CLI agents whose CLI is installed under /tmp', () => {
  for (const setup of setups) {
    it(`${setup.profile.name}: runs the CLI from /tmp in a local sandbox and solves the fixture`, async () => {
      const from = join(install!.dir, 'package.json')
      expect(hostBinary(setup.profile, from)).toMatch(new RegExp(`^${install!.dir}/`))
      const agent = new CliAgent(setup.profile, { env: setup.env, hostBinary: () => hostBinary(setup.profile, from) })
      await checkSolvesFixture({
        agent,
        fixture: fixture!,
        createSandbox: sandboxes.create,
        ...('wire' in setup ? { wire: setup.wire } : {}),
        ...cliRunSettings(setup),
        runMs: 150_000,
      })
    }, 240_000)
  }
})
