import { describe, expect, it } from 'vitest'
import { describeResult, runCli, stackLines, tempDir } from './helpers.js'

/**
 * The CLI as installed: oclif loads the dev plugin (@cooperbench/dev-tools) only under
 * NODE_ENV=development or test, so under production `dev …` commands do not exist, as for a user.
 */
const installed = async () => ({ cwd: await tempDir('dev-commands'), env: { NODE_ENV: 'production' } })

describe('developer commands in an installed CLI', () => {
  it('`dev model-server` says it is a developer command of a checkout, and how to run it there', async () => {
    const r = await runCli(['dev', 'model-server', '--port', '8123'], await installed())
    expect(r.code, describeResult(r)).toBe(2)
    expect(r.stderr.split('\n')).toEqual([
      'error: command dev model-server not found',
      'hint: `dev` commands are developer tools of the cooperbench repository (the private @cooperbench/dev-tools), ' +
        'not part of the installed CLI: in a checkout of the repository, run `pnpm cooperbench dev model-server`.',
      '',
    ])
    expect(stackLines(r.stderr)).toEqual([])
  })

  it("any other unknown command keeps oclif's answer", async () => {
    const r = await runCli(['frobnicate'], await installed())
    expect(r.code, describeResult(r)).toBe(2)
    expect(r.stderr).toMatch(/Error: command frobnicate not found/)
    expect(r.stderr).not.toMatch(/dev-tools|hint:/)
  })
})
