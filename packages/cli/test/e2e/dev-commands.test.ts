import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { devCommandHint, isCheckout } from '../../src/hooks/command-not-found.js'
import { describeResult, REPO_ROOT, runCli, stackLines, tempDir } from './helpers.js'

/**
 * bin/run.js run from this checkout: oclif loads the dev plugin (@cooperbench/dev-tools) only
 * under NODE_ENV=development or test, so under production `dev …` commands do not exist. The
 * installed package (no bin/dev.js) is held by packed-install.test.ts.
 */
const installed = async () => ({ cwd: await tempDir('dev-commands'), env: { NODE_ENV: 'production' } })

describe('developer commands without the dev plugin', () => {
  it('bin/run.js in a checkout, run elsewhere: `dev model-server` points to `pnpm cooperbench` (bin/dev.js) in the checkout', async () => {
    const r = await runCli(['dev', 'model-server', '--port', '8123'], await installed())
    expect(r.code, describeResult(r)).toBe(2)
    expect(r.stderr.split('\n')).toEqual([
      'error: command dev model-server not found',
      'hint: `dev` commands are developer tools (the private @cooperbench/dev-tools) that only bin/dev.js loads, ' +
        `not bin/run.js (the published entry point): run it from the checkout's root: \`cd ${REPO_ROOT} && pnpm cooperbench dev model-server\`.`,
      '',
    ])
    expect(stackLines(r.stderr)).toEqual([])
  })

  it('bin/run.js in a checkout, run at its root: `pnpm cooperbench` as it is, which runs the root script there', async () => {
    const r = await runCli(['dev', 'model-server', '--port', '8123'], { ...(await installed()), cwd: REPO_ROOT })
    expect(r.code, describeResult(r)).toBe(2)
    expect(r.stderr).toContain('in this checkout, run `pnpm cooperbench dev model-server`.')
  })

  it("names the root where `pnpm cooperbench` would not run the root's script: outside, or in a package folder (its own bin, bin/run.js)", () => {
    const inRoot = devCommandHint('dev:model-server', REPO_ROOT, join(REPO_ROOT, 'docs'))
    expect(inRoot).toMatch(/in this checkout, run `pnpm cooperbench dev model-server`\.$/)
    for (const cwd of [join(REPO_ROOT, 'packages', 'agent-mini-swe'), join(REPO_ROOT, 'packages', 'cli', 'src'), '/']) {
      expect(devCommandHint('dev:model-server', REPO_ROOT, cwd)).toMatch(/run it from the checkout's root: `cd \S+ && pnpm cooperbench dev model-server`\.$/)
    }
    expect(devCommandHint('dev', '/home/me/my checkout', '/tmp')).toContain("`cd '/home/me/my checkout' && pnpm cooperbench dev`")
  })

  it.each([
    ['dev model-server --help', 'dev model-server'],
    ['help dev model-server', 'dev model-server'],
    ['dev --help', 'dev'],
    ['help dev', 'dev'],
  ])('its help (`%s`) gets the same answer, not a bare "Command … not found."', async (args, command) => {
    const r = await runCli(args.split(' '), await installed())
    expect(r.code, describeResult(r)).toBe(2)
    expect(r.stderr.split('\n')).toEqual([
      `error: command ${command} not found`,
      `hint: \`dev\` commands are developer tools (the private @cooperbench/dev-tools) that only bin/dev.js loads, not bin/run.js (the published entry point): run it from the checkout's root: \`cd ${REPO_ROOT} && pnpm cooperbench ${command}\`.`,
      '',
    ])
  })

  it('a checkout is told from an installed package by bin/dev.js, which the package does not ship', async () => {
    expect(isCheckout(join(REPO_ROOT, 'packages', 'cli'))).toBe(true)
    const installedRoot = await tempDir('installed-cli')
    await mkdir(join(installedRoot, 'bin'))
    await writeFile(join(installedRoot, 'bin', 'run.js'), '')
    expect(isCheckout(installedRoot)).toBe(false)
    expect(devCommandHint('dev:model-server', null)).toBe(
      '`dev` commands are developer tools of the cooperbench repository (the private @cooperbench/dev-tools), ' +
        'not part of the installed CLI: in a checkout of the repository, run `pnpm cooperbench dev model-server`.',
    )
    expect(devCommandHint('frobnicate', REPO_ROOT)).toBeNull()
  })

  it("any other unknown command keeps oclif's answer", async () => {
    const r = await runCli(['frobnicate'], await installed())
    expect(r.code, describeResult(r)).toBe(2)
    expect(r.stderr).toMatch(/Error: command frobnicate not found/)
    expect(r.stderr).not.toMatch(/dev-tools|hint:/)
  })

  it("any other unknown command's help keeps oclif's answer", async () => {
    for (const args of [
      ['frobnicate', '--help'],
      ['help', 'frobnicate'],
    ]) {
      const r = await runCli(args, await installed())
      expect(r.code, describeResult(r)).toBe(2)
      expect(r.stderr).toMatch(/Error: Command frobnicate not found\./)
      expect(r.stderr).not.toMatch(/dev-tools|hint:/)
    }
  })
})
