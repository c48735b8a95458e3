import { execFileSync } from 'node:child_process'
import { existsSync, realpathSync } from 'node:fs'
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, readJson, REPO_ROOT, requireLocalBackend, runCli, tempDir } from './helpers.js'

/**
 * `cooperbench plugins install|uninstall|link` with npm tarballs and folders built here. The
 * plugins have no dependencies (not even core: a plain definition object is a valid plugin), so
 * npm installs them without a registry, except one that peer-depends on `@cooperbench/spec`, as
 * plugins do, which the CLI provides. The packed example plugins and the packed CLI are covered
 * by packed-install.test.ts.
 */

interface PluginPackage {
  name: string
  version: string
  /** The body of register.js, an ES module. */
  register: string
  peerDependencies?: Record<string, string>
  /** package.json's `files`; default `['register.js']`. */
  files?: string[]
}

/** A plugin written as authors write them: `definePlugin` from `@cooperbench/spec`, its peer. */
const SPEC_PLUGIN = `
import { definePlugin } from '@cooperbench/spec'
export default definePlugin({
  name: 'cb-test-spec-peer',
  version: '1.0.0',
  register(api) {
    api.agent({ name: 'spec_peer', specificationVersion: 'agent-v1', description: 'imports the spec', create: () => { throw new Error('not run') } })
  },
})
`

/** npm settings under which any request for an `@cooperbench/*` package fails: nothing answers on port 9. */
const NO_SCOPE_REGISTRY = { 'npm_config_@cooperbench:registry': 'http://127.0.0.1:9/' }

/** An agent `stamp` that writes STAMP.md, so its patch shows that it ran. */
const STAMP_AGENT = (plugin: string, version: string) => `
export default {
  name: '${plugin}',
  version: '${version}',
  coreRange: '>=0.1.0 <1.0.0',
  register(api) {
    api.agent({
      name: 'stamp',
      specificationVersion: 'agent-v1',
      description: 'writes STAMP.md',
      create: () => ({
        specificationVersion: 'agent-v1',
        name: 'stamp',
        async run(ctx) {
          const r = await ctx.sandbox.exec('echo "stamped by ${plugin}" > STAMP.md')
          return { status: r.exitCode === 0 ? 'Submitted' : 'Error', cost: 0, steps: 1, input_tokens: 0, output_tokens: 0,
                   cache_read_tokens: 0, cache_write_tokens: 0, messages: [], error: null }
        },
      }),
    })
  },
}
`

const THROWING = `export default { name: 'cb-test-throws', version: '2.0.0', register() { throw new Error('cannot register today') } }\n`

const FUTURE_CORE = `
export default {
  name: 'cb-test-future', version: '9.0.0', coreRange: '^9.0.0',
  register(api) { api.agent({ name: 'future', specificationVersion: 'agent-v9', create: () => { throw new Error('unreachable') } }) },
}
`

const FUTURE_CONTRACT = `
export default {
  name: 'cb-test-future-contract', version: '1.0.0',
  register(api) { api.agent({ name: 'from_the_future', specificationVersion: 'agent-v2', create: () => { throw new Error('unreachable') } }) },
}
`

/**
 * Writes the package folder and packs it as `npm pack` would: a gzipped tar of `package/` holding
 * package.json and the files it lists (here, all the folder holds), named `<name>-<version>.tgz`.
 * tar, not npm: an npm start is ~0.5 s of CPU, and this file packs ten of them.
 */
async function packPlugin(parent: string, pkg: PluginPackage): Promise<{ dir: string; tarball: string }> {
  const dir = join(parent, pkg.name)
  await mkdir(dir, { recursive: true })
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    type: 'module',
    files: pkg.files ?? ['register.js'],
    ...(pkg.peerDependencies ? { peerDependencies: pkg.peerDependencies } : {}),
    oclif: { hooks: { 'cooperbench:register': './register.js' } },
  }
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  await writeFile(join(dir, 'register.js'), pkg.register)
  const tarball = join(parent, `${pkg.name}-${pkg.version}.tgz`)
  execFileSync('tar', ['-czf', tarball, '-C', dir, '--transform', 's,^,package/,', 'package.json', 'register.js'], { stdio: 'ignore' })
  return { dir, tarball }
}

interface Row {
  name: string
  plugin: string
  version: string
  specificationVersion: string
}

describe('cooperbench plugins install / uninstall / link', () => {
  let packages: string
  let stamp: { dir: string; tarball: string }
  let throwing: { dir: string; tarball: string }
  let future: { dir: string; tarball: string }
  let futureContract: { dir: string; tarball: string }
  let specPeer: { dir: string; tarball: string }

  beforeAll(async () => {
    packages = await tempDir('plugin-tarballs', 'file')
    stamp = await packPlugin(packages, { name: 'cb-test-stamp', version: '1.2.3', register: STAMP_AGENT('cb-test-stamp', '1.2.3') })
    throwing = await packPlugin(packages, { name: 'cb-test-throws', version: '2.0.0', register: THROWING })
    future = await packPlugin(packages, { name: 'cb-test-future', version: '9.0.0', register: FUTURE_CORE })
    futureContract = await packPlugin(packages, { name: 'cb-test-future-contract', version: '1.0.0', register: FUTURE_CONTRACT })
    specPeer = await packPlugin(packages, {
      name: 'cb-test-spec-peer',
      version: '1.0.0',
      register: SPEC_PLUGIN,
      peerDependencies: { '@cooperbench/spec': '^0.1.0' },
    })
  }, 180_000)

  it('installs a tarball by relative path, lists its agent, runs and evaluates a pair with it; reinstalled at a new version, the install names it and the same command never reuses the old verdicts, it refuses naming both versions; then uninstalls it', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('plugins-install')
    const data = join(w.cwd, 'data')
    const env = { COOPERBENCH_DATA_DIR: data }

    // A relative path with a slash would be read as a GitHub repository by plugin-plugins alone.
    const install = await runCli(['plugins', 'install', `../${basename(stamp.tarball)}`], { ...w.options({ env }), cwd: join(packages, 'cb-test-stamp') })
    expect(install.code, describeResult(install)).toBe(0)
    expect(install.stdout + install.stderr).toContain('installed v1.2.3')
    expect(existsSync(join(data, 'node_modules', 'cb-test-stamp', 'register.js'))).toBe(true)

    const plugins = await runCli(['plugins', '--json'], w.options({ env }))
    expect(plugins.code, describeResult(plugins)).toBe(0)
    expect((JSON.parse(plugins.stdout) as Array<{ name: string; type: string }>).map((p) => [p.name, p.type])).toContainEqual(['cb-test-stamp', 'user'])

    const list = await runCli(['agents', 'list', '--json'], w.options({ env }))
    expect(list.code, describeResult(list)).toBe(0)
    expect(JSON.parse(list.stdout) as Row[]).toContainEqual({
      name: 'stamp',
      plugin: 'cb-test-stamp',
      version: '1.2.3',
      specificationVersion: 'agent-v1',
      description: 'writes STAMP.md',
    })

    const command = ['run', '-a', 'stamp', '--setting', 'solo', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '--dataset-dir', DEMO_DATASET, '-n', 'stamped']
    const run = await runCli(command, w.options({ env }))
    expect(run.code, describeResult(run)).toBe(0)
    const pair = join(w.logs, 'stamped', 'solo', 'textkit_task', '7', 'f1_f2')
    expect(await readJson(join(pair, 'result.json'))).toMatchObject({ agent_framework: 'stamp', agent: { status: 'Submitted' } })
    expect(await readFile(join(pair, 'solo.patch'), 'utf8')).toContain('+stamped by cb-test-stamp')
    // Evaluated: the stamp does not implement the features, so both feature test runs fail.
    expect(await readJson(join(pair, 'eval.json'))).toMatchObject({ both_passed: false, error: null })

    // A fixed version over it: the version installed, not the one oclif had read as it started
    // (`installed v1.2.3` for 1.2.4).
    const fixed = await packPlugin(join(packages, 'versions'), { name: 'cb-test-stamp', version: '1.2.4', register: STAMP_AGENT('cb-test-stamp', '1.2.4') })
    const reinstall = await runCli(['plugins', 'install', fixed.tarball], w.options({ env }))
    expect(reinstall.code, describeResult(reinstall)).toBe(0)
    expect(reinstall.stdout + reinstall.stderr).toContain('installed v1.2.4')
    expect(reinstall.stdout + reinstall.stderr).not.toMatch(/installed v(?!1\.2\.4\b)/)
    // The fixed version's run: the old results are not reused, and the refusal says why.
    const again = await runCli(command, w.options({ env }))
    expect(again.code, describeResult(again)).not.toBe(0)
    expect(again.stdout + again.stderr).not.toContain('reusing')
    expect(again.stderr).toContain('plugins.agent: "stamp (cb-test-stamp@1.2.3)" → "stamp (cb-test-stamp@1.2.4)"')

    const uninstall = await runCli(['plugins', 'uninstall', 'cb-test-stamp'], w.options({ env }))
    expect(uninstall.code, describeResult(uninstall)).toBe(0)
    const after = await runCli(['agents', 'list', '--json'], w.options({ env }))
    expect((JSON.parse(after.stdout) as Row[]).map((r) => r.name)).not.toContain('stamp')
  }, 360_000)

  it('a plugin that throws, one for a future core and one for a future contract are reported and skipped; run goes on', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('plugins-broken')
    const env = { COOPERBENCH_DATA_DIR: join(w.cwd, 'data') }
    // One install of three: absolute paths, and a bare file name in the current folder.
    const install = await runCli(['plugins', 'install', throwing.tarball, future.tarball, basename(futureContract.tarball)], {
      ...w.options({ env }),
      cwd: packages,
    })
    expect(install.code, describeResult(install)).toBe(0)
    const last = install.stderr
    // Said at install time as well: the install reports all three.
    expect(last).toMatch(/warning: plugin cb-test-throws@2\.0\.0 is installed but will be skipped: cannot register today/)
    expect(last).toMatch(/warning: plugin cb-test-future is installed but will be skipped: .*requires @cooperbench\/core \^9\.0\.0/)
    expect(last).toMatch(/warning: plugin cb-test-future-contract is installed but will be skipped: .*implements agent-v2/)

    // `cooperbench plugins` marks each refused plugin with the reason and the fix, never like a working one.
    const installed = await runCli(['plugins'], w.options({ env }))
    expect(installed.code, describeResult(installed)).toBe(0)
    expect(installed.stdout).toMatch(/^cb-test-throws 2\.0\.0 — refused: cannot register today$/m)
    expect(installed.stdout).toMatch(
      /^cb-test-future 9\.0\.0 — refused: plugin cb-test-future@9\.0\.0 requires @cooperbench\/core \^9\.0\.0, .* — fix: .*upgrade cooperbench/m,
    )
    expect(installed.stdout).toMatch(/^cb-test-future-contract 1\.0\.0 — refused: .*implements agent-v2/m)
    expect(installed.stdout).toMatch(/^3 refused: cooperbench skips them/m)
    const installedJson = await runCli(['plugins', '--json'], w.options({ env }))
    expect(installedJson.code, describeResult(installedJson)).toBe(0)
    const rows = JSON.parse(installedJson.stdout) as Array<{ name: string; refused?: { code: string; message: string; hint?: string } }>
    expect(rows.find((p) => p.name === 'cb-test-future')?.refused).toMatchObject({
      code: 'PLUGIN_INCOMPATIBLE',
      hint: expect.stringContaining('upgrade cooperbench'),
    })
    expect(rows.find((p) => p.name === 'cb-test-throws')?.refused).toMatchObject({ code: 'PLUGIN_FAILED', message: 'cannot register today' })

    const list = await runCli(['agents', 'list'], w.options({ env }))
    expect(list.code, describeResult(list)).toBe(0)
    expect(list.stdout).toMatch(/^oracle\s/m)
    expect(list.stdout).toMatch(/3 plugins failed to load and were skipped/)
    expect(list.stdout).toMatch(/cb-test-throws@2\.0\.0: cannot register today/)
    expect(list.stdout).toMatch(
      /cb-test-future@9\.0\.0 requires @cooperbench\/core \^9\.0\.0, but this is @cooperbench\/core 0\.\d+\.\d+ — fix: .*upgrade cooperbench/,
    )
    expect(list.stdout).toMatch(
      /"from_the_future" from cb-test-future-contract@1\.0\.0 implements agent-v2, but this core \(0\.\d+\.\d+\) speaks agent-v1 — fix: Install a version of cb-test-future-contract built for agent-v1/,
    )

    const run = await runCli(
      ['run', '-a', 'oracle', '--setting', 'solo', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '--dataset-dir', DEMO_DATASET, '-n', 'still-works'],
      w.options({ env }),
    )
    expect(run.code, describeResult(run)).toBe(0)
    expect(run.stderr).toMatch(/warning: plugin cb-test-throws@2\.0\.0 failed/)
    expect(await readJson(join(w.logs, 'still-works', 'solo', 'textkit_task', '7', 'f1_f2', 'eval.json'))).toMatchObject({ both_passed: true })

    const refused = await runCli(
      ['run', '-a', 'from_the_future', '--setting', 'solo', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '--dataset-dir', DEMO_DATASET],
      w.options({ env }),
    )
    expect(refused.code, describeResult(refused)).toBe(5)
    // The refusal is named, with its fix, not an unknown agent.
    expect(refused.stderr).toMatch(/^error: agent "from_the_future" is not available: its plugin cb-test-future-contract@1\.0\.0 was refused: .*agent-v2/m)
    expect(refused.stderr).toMatch(/^hint: Install a version of cb-test-future-contract built for agent-v1/m)
    expect(refused.stderr).not.toContain('unknown agent')
    // The same refusal for a plugin built for a future core is worded by core/test/plugin/compatibility.test.ts.
  }, 480_000) // seven CLI calls, one of them an npm install of three plugins: over 180 s at load 26

  it("a plugin's @cooperbench/spec peer is the CLI's own copy, and a plugin folder another cooperbench install took over refuses its plugins with a hint", async () => {
    const w = await makeWorkdir('plugins-spec-peer')
    const data = join(w.cwd, 'data')
    const env = { COOPERBENCH_DATA_DIR: data, ...NO_SCOPE_REGISTRY }
    const install = await runCli(['plugins', 'install', specPeer.tarball], w.options({ env }))
    expect(install.code, describeResult(install)).toBe(0)
    expect(install.stderr, 'nothing of the @cooperbench scope is fetched: no warning').not.toMatch(/warning/)

    const list = await runCli(['agents', 'list', '--json'], w.options({ env }))
    expect(list.code, describeResult(list)).toBe(0)
    expect(JSON.parse(list.stdout) as Row[]).toContainEqual(expect.objectContaining({ name: 'spec_peer', plugin: 'cb-test-spec-peer' }))
    // The plugin's import of the spec and the CLI's are the same file.
    const specOf = (manifest: string) => realpathSync(createRequire(manifest).resolve('@cooperbench/spec'))
    const cliSpec = specOf(join(REPO_ROOT, 'packages', 'cli', 'package.json'))
    const pluginSpec = () => specOf(join(data, 'node_modules', 'cb-test-spec-peer', 'package.json'))
    expect(pluginSpec(), "one copy of the contracts: the plugin's spec is the CLI's").toBe(cliSpec)

    // Another install keeps the CLI's packages linked (npm knows them as the data dir's peers).
    const another = await runCli(['plugins', 'install', stamp.tarball], w.options({ env }))
    expect(another.code, describeResult(another)).toBe(0)
    expect(pluginSpec(), "another install keeps the plugin's spec the CLI's").toBe(cliSpec)

    // A second research folder's cooperbench installed a plugin into the same (shared) folder:
    // its own @cooperbench/spec is now the one linked there.
    const otherSpec = join(w.cwd, 'other-research', 'node_modules', '@cooperbench', 'spec')
    await mkdir(join(otherSpec, '..'), { recursive: true })
    await cp(join(REPO_ROOT, 'packages', 'spec'), otherSpec, { recursive: true, filter: (src) => !src.includes('node_modules') })
    const link = join(data, 'node_modules', '@cooperbench', 'spec')
    await rm(link, { recursive: true, force: true })
    await symlink(otherSpec, link, 'dir')

    for (const when of ['linked to another install', 'that install removed']) {
      const taken = await runCli(['agents', 'list'], w.options({ env }))
      expect(taken.code, describeResult(taken)).toBe(0)
      expect(taken.stdout, `the plugin that imports the spec is refused, ${when}`).toMatch(
        /cb-test-spec-peer@1\.0\.0: it needs this cooperbench's packages, and the plugin folder \S+ has @cooperbench\/spec: (another cooperbench's copy|a link whose target is gone)/,
      )
      expect(taken.stdout, `the fix: a plugin folder of its own, ${when}`).toMatch(
        /fix: Installed plugins are shared by every cooperbench of this user\. Give this research folder its own plugin folder \(export COOPERBENCH_DATA_DIR=/,
      )
      expect(taken.stdout, `a plugin that imports nothing of cooperbench keeps working, ${when}`).toMatch(/^stamp\s+cb-test-stamp/m)
      expect(taken.stdout, `the refused plugin's agent is not listed, ${when}`).not.toMatch(/^spec_peer\s/m)
      await rm(join(w.cwd, 'other-research'), { recursive: true, force: true })
    }

    // Installing again with this cooperbench moves the shared folder back to it; an uninstall keeps it so.
    const again = await runCli(['plugins', 'install', specPeer.tarball], w.options({ env }))
    expect(again.code, describeResult(again)).toBe(0)
    const uninstall = await runCli(['plugins', 'uninstall', 'cb-test-stamp'], w.options({ env }))
    expect(uninstall.code, describeResult(uninstall)).toBe(0)
    expect(pluginSpec(), "an uninstall keeps the plugin's spec the CLI's").toBe(cliSpec)
    const after = await runCli(['agents', 'list', '--json'], w.options({ env }))
    expect(after.stderr, 'nothing is refused any more').toBe('')
    expect(JSON.parse(after.stdout) as Row[], 'the plugin that imports the spec loads again').toContainEqual(
      expect.objectContaining({ name: 'spec_peer', plugin: 'cb-test-spec-peer' }),
    )
  }, 240_000)

  it("a plugin whose peer range excludes the CLI's packages is refused before npm: which peer, its range, the CLI's version, the side to upgrade", async () => {
    const w = await makeWorkdir('plugins-peer-range')
    const data = join(w.cwd, 'data')
    const env = { COOPERBENCH_DATA_DIR: data, ...NO_SCOPE_REGISTRY }
    const mismatch = await packPlugin(await tempDir('peer-range'), {
      name: 'cb-test-peer-range',
      version: '1.0.0',
      register: SPEC_PLUGIN.replaceAll('cb-test-spec-peer', 'cb-test-peer-range'),
      peerDependencies: { '@cooperbench/spec': '^9.0.0' },
    })
    for (const target of [mismatch.tarball, mismatch.dir]) {
      const r = await runCli(['plugins', 'install', target], w.options({ env }))
      expect(r.code, describeResult(r)).toBe(5)
      expect(r.stderr).toMatch(
        /^error: cannot install cb-test-peer-range@1\.0\.0: it needs @cooperbench\/spec \^9\.0\.0, and this cooperbench has @cooperbench\/spec 0\.\d+\.\d+$/m,
      )
      expect(r.stderr).toMatch(/^hint: cb-test-peer-range is built for a newer cooperbench: upgrade cooperbench/m)
      expect(r.stderr).not.toMatch(/ERESOLVE|DEBUG=|npm error/)
      expect(existsSync(join(data, 'node_modules', 'cb-test-peer-range'))).toBe(false)
    }
  }, 180_000)

  it("a tarball whose files list a pattern installs without oclif's prepare-script warning; one packed before its build is told so", async () => {
    const w = await makeWorkdir('plugins-files')
    const env = { COOPERBENCH_DATA_DIR: join(w.cwd, 'data'), ...NO_SCOPE_REGISTRY }
    const parent = await tempDir('plugin-files')
    const patterned = await packPlugin(parent, {
      name: 'cb-test-files-pattern',
      version: '1.0.0',
      register: STAMP_AGENT('cb-test-files-pattern', '1.0.0'),
      files: ['register.js', '!**/*.tsbuildinfo'],
    })
    const unbuilt = await packPlugin(parent, {
      name: 'cb-test-files-unbuilt',
      version: '1.0.0',
      register: THROWING.replace('cb-test-throws', 'cb-test-files-unbuilt'),
      files: ['register.js', 'dist'],
    })
    // One install of both: what it says of each is told apart by the package's name.
    const install = await runCli(['plugins', 'install', patterned.tarball, unbuilt.tarball], w.options({ env }))
    expect(install.code, describeResult(install)).toBe(0)
    expect(install.stderr, 'no oclif prepare-script warning for either').not.toMatch(/prepare script|expected files/)
    expect(
      install.stderr.split('\n').filter((line) => /lacks/.test(line)),
      'only the tarball packed before its build is told that it lacks files',
    ).toEqual([
      expect.stringMatching(
        /^warning: cb-test-files-unbuilt's package\.json lists dist in "files", which its tarball lacks: build the plugin before packing it/,
      ),
    ])
  }, 120_000)

  it("npm settings that skip a project's peers leave the CLI's packages unlinked, and the install says so", async () => {
    const w = await makeWorkdir('plugins-legacy-peers')
    const env = { COOPERBENCH_DATA_DIR: join(w.cwd, 'data'), ...NO_SCOPE_REGISTRY, npm_config_legacy_peer_deps: 'true' }
    const install = await runCli(['plugins', 'install', specPeer.tarball], w.options({ env }))
    expect(install.code, describeResult(install)).toBe(0)
    expect(install.stderr).toMatch(
      /warning: @cooperbench\/spec, @cooperbench\/spec-utils, @cooperbench\/backend-kit, @cooperbench\/core, @cooperbench\/setting-team in .* are not the CLI's own copy/,
    )
  }, 180_000)

  it('a config file may name a plugin package folder: its register hook is loaded, not its main module', async () => {
    const w = await makeWorkdir('plugins-folder')
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ plugins: [stamp.dir] }))
    const list = await runCli(['agents', 'list', '--json'], w.options())
    expect(list.code, describeResult(list)).toBe(0)
    expect((JSON.parse(list.stdout) as Row[]).find((r) => r.name === 'stamp')).toMatchObject({ plugin: 'cb-test-stamp', version: '1.2.3' })
    expect(list.stderr).toBe('')
  }, 180_000)

  it('links a plugin folder for development and unlinks it', async () => {
    const w = await makeWorkdir('plugins-link')
    const env = { COOPERBENCH_DATA_DIR: join(w.cwd, 'data') }
    const link = await runCli(['plugins', 'link', stamp.dir, '--no-install'], w.options({ env }))
    expect(link.code, describeResult(link)).toBe(0)
    const list = await runCli(['agents', 'list', '--json'], w.options({ env }))
    expect((JSON.parse(list.stdout) as Row[]).find((r) => r.name === 'stamp')).toMatchObject({ plugin: 'cb-test-stamp', version: '1.2.3' })
    const unlink = await runCli(['plugins', 'unlink', 'cb-test-stamp'], w.options({ env }))
    expect(unlink.code, describeResult(unlink)).toBe(0)
    const after = await runCli(['agents', 'list', '--json'], w.options({ env }))
    expect((JSON.parse(after.stdout) as Row[]).map((r) => r.name)).not.toContain('stamp')
  }, 180_000)
})
