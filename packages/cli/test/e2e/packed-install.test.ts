import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { cp, mkdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, join } from 'node:path'
import { type ScriptedLlmServer, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_DATASET, readJson, REPO_ROOT, requireLocalBackend, tempDir } from './helpers.js'
import { pnpmCommand } from './pnpm-command.js'

/**
 * What a user gets before publication: `pnpm pack:release` packs the CLI and its `@cooperbench/*`
 * packages and prints the one `npm install` command for them all, run here in an empty folder
 * with no registry for the `@cooperbench` scope (every other package comes from the npm
 * registry), so nothing of the scope can come from anywhere but the tarballs. From there: the
 * README's quickstart, and the packed example plugins installed with `cooperbench plugins install
 * <tarball>` (their `@cooperbench/*` peers are the CLI's own copies), listed, and used for a demo
 * pair that is evaluated.
 */

/** npm settings under which any request for an `@cooperbench/*` package fails: nothing answers on port 9. */
const NO_SCOPE_REGISTRY = { 'npm_config_@cooperbench:registry': 'http://127.0.0.1:9/' }

/** The npm registry npm is configured with, if it answers; the install needs it for third-party packages. */
function npmRegistryProblem(): string | null {
  const registry = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).stdout.trim() || 'https://registry.npmjs.org/'
  const ping = spawnSync(process.execPath, [
    '-e',
    `fetch(${JSON.stringify(registry)}, { signal: AbortSignal.timeout(8000) }).then((r) => process.exit(r.status < 500 ? 0 : 1), () => process.exit(1))`,
  ])
  return ping.status === 0 ? null : `the npm registry (${registry}) does not answer`
}

const registryProblem = npmRegistryProblem()
if (registryProblem && process.env.CI) throw new Error(`${registryProblem}, and CI is set: the packed-install test must run`)
const dockerEngine = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0

interface Ran {
  code: number | null
  stdout: string
  stderr: string
  /** Set when the command was killed at its time limit. */
  killedAfterMs?: number
}

/**
 * An install from the npm registry with a cold npm cache is bound by the network, not the CPU:
 * 177 s for the release's install on a calm machine here (28 s of it CPU), and past 300 s in CI
 * under the suite's load (2026-11-28).
 */
const REGISTRY_INSTALL_MS = 840_000

/** Runs a command to its end with the caller's environment minus COOPERBENCH_*, plus `env`. */
function run(command: string, args: string[], cwd: string, env: Record<string, string>, timeoutMs = 300_000): Promise<Ran> {
  const childEnv: NodeJS.ProcessEnv = { NO_COLOR: '1' }
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('COOPERBENCH_')) childEnv[key] = value
  Object.assign(childEnv, env)
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    let killed = false
    const timer = setTimeout(() => {
      killed = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, ...(killed ? { killedAfterMs: timeoutMs } : {}) })
    })
  })
}

const show = (r: Ran) =>
  `${r.killedAfterMs ? `killed at its time limit of ${r.killedAfterMs / 1000} s` : `exit ${r.code}`}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`

/** A feature's title, the first line of its feature.md, and its gold patch. */
function feature(repo: string, task: number, id: number): { title: string; patch: string } {
  const dir = join(DEMO_DATASET, repo, `task${task}`, `feature${id}`)
  const title = /\*\*Title\*\*:\s*(.+)/.exec(readFileSync(join(dir, 'feature.md'), 'utf8'))![1]!.trim()
  return { title, patch: readFileSync(join(dir, 'feature.patch'), 'utf8') }
}

interface Manifest {
  name: string
  private?: boolean
  exports?: Record<string, unknown>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}
const manifests = new Map<string, Manifest>()
/** The tarball's package.json, read once per tarball (the tests ask for each one several times). */
function manifestOf(path: string): Manifest {
  let manifest = manifests.get(path)
  if (!manifest) manifests.set(path, (manifest = JSON.parse(execFileSync('tar', ['-xzOf', path, 'package/package.json'], { encoding: 'utf8' })) as Manifest))
  return manifest
}

/** The real path of the file `name` resolves to from the package whose package.json is `manifest`. */
const resolvedFrom = (manifest: string, name: string) => realpathSync(createRequire(manifest).resolve(name))

describe.skipIf(registryProblem)(`packed packages installed together, with no registry for the scope${registryProblem ? ` (${registryProblem})` : ''}`, () => {
  let release: string
  let forPluginAuthors: string
  let examples: string
  let home: string
  let env: Record<string, string>
  const cli = () => join(home, 'node_modules', '.bin', 'cooperbench')
  /** The packed tarball of a package: `@cooperbench/core` → `cooperbench-core-0.1.0.tgz`. */
  const tarball = (name: string) => {
    const stem = name.replace(/^@/, '').replace('/', '-')
    for (const dir of [release, forPluginAuthors, examples]) {
      const file = readdirSync(dir).find((f) => f.startsWith(`${stem}-`) && /^\d+\.\d+\.\d+[^/]*\.tgz$/.test(f.slice(stem.length + 1)))
      if (file) return join(dir, file)
    }
    throw new Error(`no tarball of ${name} in ${release}, ${forPluginAuthors} or ${examples}`)
  }
  const tarballsIn = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.tgz'))
      .map((f) => join(dir, f))
  /** What a user installs: the CLI and its packages. */
  const releaseTarballs = () => tarballsIn(release)
  /** Every published package: the release's and, beside it, testkit's for plugin authors. */
  const publishedTarballs = () => [...releaseTarballs(), ...tarballsIn(forPluginAuthors)]
  /** The release tarballs of `names` and of every `@cooperbench/*` package they depend on. */
  const closureOf = (names: string[]): string[] => {
    const byName = new Map(publishedTarballs().map((path) => [manifestOf(path).name, { path, manifest: manifestOf(path) }]))
    const seen = new Set<string>()
    const visit = (name: string) => {
      const entry = byName.get(name)
      if (!entry || seen.has(name)) return
      seen.add(name)
      for (const dep of Object.keys({ ...entry.manifest.dependencies, ...entry.manifest.peerDependencies })) visit(dep)
    }
    for (const name of names) visit(name)
    return [...seen].map((name) => byName.get(name)!.path)
  }
  /** The command `pnpm pack:release` printed. */
  let installCommand: string

  beforeAll(async () => {
    const base = await tempDir('packed', 'file')
    release = join(base, 'release')
    forPluginAuthors = join(release, 'plugin-authors')
    examples = join(base, 'examples')
    home = join(base, 'clean')
    await mkdir(home, { recursive: true })
    const [command, ...prefix] = pnpmCommand()
    const packed = execFileSync(command, [...prefix, 'run', '--silent', 'pack:release', release], { cwd: REPO_ROOT, encoding: 'utf8' })
    installCommand = packed.trim().split('\n').at(-1)!
    execFileSync(command, [...prefix, '--filter', './examples/*', 'pack', '--pack-destination', examples], { cwd: REPO_ROOT, stdio: 'ignore' })
    env = { ...NO_SCOPE_REGISTRY, COOPERBENCH_DATA_DIR: join(base, 'data'), npm_config_update_notifier: 'false' }
    // The printed command as a user runs it (its paths are absolute: the release folder is elsewhere).
    const [npm, ...args] = installCommand.split(' ')
    const install = await run(npm!, [...args, '--no-audit', '--no-fund'], home, env, REGISTRY_INSTALL_MS)
    if (install.code !== 0) throw new Error(`${installCommand} failed:\n${show(install)}`)
    await cp(DEMO_DATASET, join(home, 'dataset'), { recursive: true })
    standaloneInstall = installStandalone()
  }, REGISTRY_INSTALL_MS + 360_000)

  it('pack:release packs every published package and nothing private, and prints one npm install of the CLI and its packages', () => {
    const published = readdirSync(join(REPO_ROOT, 'packages'))
      .map((dir) => JSON.parse(readFileSync(join(REPO_ROOT, 'packages', dir, 'package.json'), 'utf8')) as { name: string; private?: boolean })
      .filter((pkg) => !pkg.private)
      .map((pkg) => pkg.name)
    const names = (paths: string[]) => paths.map((path) => manifestOf(path).name).sort()
    expect(names(publishedTarballs())).toEqual(published.sort())
    // testkit, with its scripted model servers, is for plugin authors' tests: beside the release, not in it.
    expect(names(tarballsIn(forPluginAuthors))).toEqual(['@cooperbench/testkit'])
    expect(installCommand).toBe(`npm install ${releaseTarballs().sort().join(' ')}`)
    // The README documents the same two steps (the folder then holds exactly these tarballs).
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
    expect(readme).toMatch(/pnpm pack:release/)
    expect(readme).toMatch(/npm install \S*release\/\*\.tgz/)
  })

  it('the packed CLI and first-party plugins install as real folders, with no workspace protocol left', () => {
    for (const name of [
      'spec',
      'spec-utils',
      'backend-kit',
      'core',
      'dataset',
      'report',
      'builtins',
      'evaluator-default',
      'backend-local',
      'backend-docker',
      'agent-mini-swe',
      'agent-swe-agent',
    ]) {
      const dir = join(home, 'node_modules', '@cooperbench', name)
      expect(lstatSync(dir).isSymbolicLink(), `${dir} is a link`).toBe(false)
      const manifest = readFileSync(join(dir, 'package.json'), 'utf8')
      expect(manifest).not.toMatch(/workspace:/)
      const pkg = JSON.parse(manifest) as { exports: Record<string, { types?: string; default?: string }> }
      // Every entry point the package exports exists, types included.
      for (const [entry, target] of Object.entries(pkg.exports)) {
        for (const file of typeof target === 'string' ? [target] : ([target.types, target.default].filter(Boolean) as string[])) {
          expect(existsSync(join(dir, file)), `${name} ${entry} → ${file}`).toBe(true)
        }
      }
    }
    expect(existsSync(join(home, 'node_modules', 'cooperbench', 'oclif.manifest.json'))).toBe(true)
  })

  it('the installed CLI carries no dev tools: no testkit dependency, no dev plugin, no `dev model-server`', async () => {
    const manifest = JSON.parse(readFileSync(join(home, 'node_modules', 'cooperbench', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
      devDependencies?: Record<string, string>
      oclif: { devPlugins?: string[] }
    }
    expect(Object.keys(manifest.dependencies)).not.toContain('@cooperbench/testkit')
    expect(Object.keys(manifest.dependencies).filter((name) => /standins|dev-tools/.test(name))).toEqual([])
    // .pnpmfile.cjs leaves these out when packing: oclif would look for the dev plugin under NODE_ENV=development.
    expect(manifest.devDependencies).toBeUndefined()
    expect(manifest.oclif.devPlugins).toBeUndefined()
    expect(existsSync(join(home, 'node_modules', '@cooperbench', 'testkit')), 'testkit installed').toBe(false)
    expect(readdirSync(join(home, 'node_modules', 'cooperbench', 'bin'))).toEqual(['run.js'])
    // Where oclif would load dev plugins: no command, no warning about a missing plugin, and a hint to the checkout.
    const r = await run(cli(), ['dev', 'model-server'], home, { ...env, NODE_ENV: 'development' })
    expect(r.code, show(r)).toBe(2)
    expect(r.stderr).toMatch(/^error: command dev model-server not found$/m)
    expect(r.stderr).toMatch(/^hint: .*in a checkout of the repository, run `pnpm cooperbench dev model-server`/m)
    expect(r.stderr).not.toMatch(/warning|could not find/i)
  }, 180_000)

  it('no published tarball carries a stand-in: stand-ins are test code in the private @cooperbench/standins', () => {
    // `publish` skips private packages, so the stand-ins must stay private.
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'standins', 'package.json'), 'utf8')).private).toBe(true)
    const published = [...publishedTarballs(), ...readdirSync(examples).map((f) => join(examples, f))].filter((path) => !manifestOf(path).private)
    expect(published).toContain(tarball('@cooperbench/testkit'))
    const offending: string[] = []
    for (const path of published) {
      const file = basename(path)
      const entries = execFileSync('tar', ['-tzf', path], { encoding: 'utf8' }).trim().split('\n')
      for (const entry of entries) {
        if (/(^|\/)(standins?|fake-[^/]*|openhands-server|hf-hub)(\/|\.|$)/i.test(entry)) offending.push(`${file}: ${entry}`)
      }
      const manifest = manifestOf(path)
      for (const entry of Object.keys(manifest.exports ?? {})) if (/standin|fake/i.test(entry)) offending.push(`${file}: exports ${entry}`)
      if (manifest.dependencies?.['@cooperbench/standins']) offending.push(`${file}: depends on @cooperbench/standins`)
    }
    expect(offending).toEqual([])
  })

  // The whole quickstart (27 pairs) runs in the checkout (readme.test.ts); here the installed CLI
  // runs its command on one pair, the pair the research script below runs too: what the packed
  // install adds is that it runs at all, the same on every pair.
  it("runs the README quickstart's command on one demo pair: solo, oracle agent, the pair passes", async (ctx) => {
    requireLocalBackend(ctx)
    const r = await run(
      cli(),
      ['run', '-s', 'demo', '-r', 'confkit_task', '-t', '5', '-f', '1,2', '-a', 'oracle', '--setting', 'solo', '-n', 'quickstart'],
      home,
      env,
    )
    expect(r.code, show(r)).toBe(0)
    const summary = await readJson(join(home, 'logs', 'quickstart', 'summary.json'))
    expect(summary).toMatchObject({ setting: 'solo', total_tasks: 1, completed: 1, failed: 0, pass_rate: 1 })
    expect(r.stdout).toMatch(/evaluated\s+1: passed 1, failed 0, errors 0/)
  }, 300_000)

  it("a research script outside the workspace: run() then evaluate() from the installed package pass a demo pair, with a cooperbench.config.ts using defineConfig, and match the CLI's eval.json file", async (ctx) => {
    requireLocalBackend(ctx)
    const research = join(home, 'research')
    await mkdir(research, { recursive: true })
    await writeFile(join(research, 'package.json'), JSON.stringify({ name: 'my-research', private: true, type: 'module' }))
    await writeFile(
      join(research, 'cooperbench.config.ts'),
      "import { defineConfig } from 'cooperbench'\n\nexport default defineConfig({ concurrency: 4, datasetDir: '../dataset' })\n",
    )
    await writeFile(
      join(research, 'experiment.mjs'),
      [
        "import { evaluate, run } from 'cooperbench'",
        "const common = { subset: 'demo', repo: 'confkit_task', taskId: 5, features: [1, 2], agent: 'oracle', setting: 'solo', backend: 'local', logDir: 'logs' }",
        "const ran = await run({ ...common, runName: 'library', autoEval: false })",
        "const evaluated = await evaluate({ runName: 'library', logDir: 'logs' })",
        'console.log(JSON.stringify({ pairs: ran.pairs.length, statuses: [...new Set(ran.pairs.map((p) => p.status))], passRate: evaluated.passRate }))',
      ].join('\n'),
    )
    const r = await run(process.execPath, ['experiment.mjs'], research, env)
    expect(r.code, show(r)).toBe(0)
    const printed = JSON.parse(r.stdout.trim().split('\n').at(-1)!)
    expect(printed).toMatchObject({ pairs: 1, statuses: ['done'], passRate: { passed: 1, failed: 0, errors: 0, rate: 1 } })
    expect((await readJson(join(research, 'logs', 'library', 'config.json'))).concurrency).toBe(4)

    // The quickstart above ran this pair too, through the CLI: the same eval.json, times aside.
    const times = (text: string) => {
      const { evaluated_at: _at, timings: _timings, ...rest } = JSON.parse(text) as Record<string, unknown>
      return JSON.stringify(rest).replace(/\b\d+(\.\d+)?m?s\b|duration_ms [\d.]+/g, '<duration>')
    }
    const pairs = execFileSync('find', [join(research, 'logs', 'library'), '-name', 'eval.json'], { encoding: 'utf8' })
      .trim()
      .split('\n')
    expect(pairs).toHaveLength(1)
    for (const path of pairs) {
      const cliPath = path.replace(join(research, 'logs', 'library'), join(home, 'logs', 'quickstart'))
      expect(times(readFileSync(path, 'utf8')), path).toBe(times(readFileSync(cliPath, 'utf8')))
    }
  }, 300_000)

  /**
   * `cooperbench plugins install` of both packed example plugins, in one command (one npm install
   * into the data dir, not one each), started by whichever of their tests comes first.
   */
  let examplePlugins: Promise<Ran> | undefined
  const installExamplePlugins = () =>
    (examplePlugins ??= run(cli(), ['plugins', 'install', tarball('cooperbench-agent-oneshot'), tarball('cooperbench-backend-container-cli')], home, env))

  describe('the example agent plugin', () => {
    let llm: ScriptedLlmServer

    afterAll(async () => {
      await llm?.close()
    })

    it('installs from its tarball, is listed, runs a coop demo pair against a scripted model, and is evaluated', async (ctx) => {
      requireLocalBackend(ctx)
      const install = await installExamplePlugins()
      expect(install.code, show(install)).toBe(0)
      // Its peers are the CLI's own copies: one copy of the contracts (and of core, which it still imports).
      const plugin = join(env.COOPERBENCH_DATA_DIR!, 'node_modules', 'cooperbench-agent-oneshot', 'package.json')
      const host = join(home, 'node_modules', 'cooperbench', 'package.json')
      for (const name of ['@cooperbench/spec', '@cooperbench/spec-utils', '@cooperbench/core'])
        expect(resolvedFrom(plugin, name), name).toBe(resolvedFrom(host, name))

      const list = await run(cli(), ['agents', 'list', '--json'], home, env)
      expect(list.code, show(list)).toBe(0)
      expect(JSON.parse(list.stdout)).toContainEqual(
        expect.objectContaining({ name: 'oneshot', plugin: 'cooperbench-agent-oneshot', version: '0.1.0', specificationVersion: 'agent-v1' }),
      )

      // confkit task 0, features 2 and 3 merge cleanly: a model that answers each feature with
      // its gold patch makes both pass after the merge.
      const features = [feature('confkit_task', 0, 2), feature('confkit_task', 0, 3)]
      llm = await startScriptedLlmServer({
        script: (request) => {
          const text = JSON.stringify(request.body.messages)
          const match = features.find((f) => text.includes(f.title))
          return { content: match ? `Here is the change.\n\n\`\`\`diff\n${match.patch}\`\`\`\n` : 'I do not know this feature.' }
        },
      })
      const r = await run(
        cli(),
        [
          'run',
          '-a',
          'oneshot',
          '-m',
          'openai/scripted-model',
          '--model-base-url',
          llm.url,
          '-r',
          'confkit_task',
          '-t',
          '0',
          '-f',
          '2,3',
          '-n',
          'oneshot-coop',
        ],
        home,
        env,
      )
      expect(r.code, show(r)).toBe(0)
      const pair = join(home, 'logs', 'oneshot-coop', 'coop', 'confkit_task', '0', 'f2_f3')
      expect(await readJson(join(pair, 'result.json'))).toMatchObject({ agent_framework: 'oneshot' })
      expect(await readJson(join(pair, 'eval.json'))).toMatchObject({ both_passed: true, error: null })
      expect(llm.chatRequests().length).toBeGreaterThanOrEqual(2)
    }, 300_000)
  })

  /**
   * The examples as an author's own repository would hold them: their sources and tests, each
   * beside the package.json pack wrote (workspace ranges resolved), in one folder whose own
   * package.json names what theirs name outside the scope; installed with npm together with the
   * release tarballs of the `@cooperbench/*` packages they name (as they would get them
   * published). One install for both, not one each: the two would fetch and unpack the same
   * vitest, typescript and testkit, ~9 s of npm's CPU each. It starts as soon as the release is
   * packed, while the other tests run (an npm install mostly waits on the registry); each
   * example's conformance suite then runs under its own vitest in its own folder.
   */
  const STANDALONE_EXAMPLES = [
    { example: 'agent-oneshot', pkg: 'cooperbench-agent-oneshot' },
    { example: 'backend-container-cli', pkg: 'cooperbench-backend-container-cli' },
  ]
  let standaloneInstall: Promise<{ root: string; install: Ran }>
  function installStandalone(): Promise<{ root: string; install: Ran }> {
    const installing = (async () => {
      const root = join(home, '..', 'standalone')
      const outside: Record<'dependencies' | 'devDependencies', Record<string, string>> = { dependencies: {}, devDependencies: {} }
      const scoped = new Set<string>()
      for (const { example, pkg } of STANDALONE_EXAMPLES) {
        const dir = join(root, example)
        await mkdir(dir, { recursive: true })
        for (const part of ['src', 'test']) await cp(join(REPO_ROOT, 'examples', example, part), join(dir, part), { recursive: true })
        // Its own repository has no workspace to reference: the tsconfig without `references`.
        const { references: _workspace, ...tsconfig } = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', example, 'tsconfig.json'), 'utf8')) as Record<
          string,
          unknown
        >
        await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
        const manifest = execFileSync('tar', ['-xzOf', tarball(pkg), 'package/package.json'], { encoding: 'utf8' })
        await writeFile(join(dir, 'package.json'), manifest)
        const ranges = JSON.parse(manifest) as Record<string, Record<string, string> | undefined>
        for (const [field, names] of [
          ['dependencies', ranges.dependencies],
          ['devDependencies', ranges.devDependencies],
          ['devDependencies', ranges.peerDependencies],
        ] as const) {
          for (const [name, range] of Object.entries(names ?? {})) {
            if (name.startsWith('@cooperbench/')) scoped.add(name)
            else outside[field][name] = range
          }
        }
      }
      await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'standalone-examples', private: true, type: 'module', ...outside }, null, 2))
      const install = await run('npm', ['install', '--no-audit', '--no-fund', '--no-save', ...closureOf([...scoped])], root, env, REGISTRY_INSTALL_MS)
      return { root, install }
    })()
    installing.catch(() => {}) // awaited by its tests; skipped tests must not leave an unhandled rejection
    return installing
  }

  // A whole conformance suite, run by its own vitest: minutes on a loaded 2-core machine (a Docker
  // one took 252 s there), so its bound is a guard against a hang only.
  const CONFORMANCE_RUN_MS = 600_000
  async function standaloneConformance(example: string, testFile: string, only: string[] = []): Promise<Ran> {
    const { root, install } = await standaloneInstall
    if (install.code !== 0) return install
    for (const name of ['core', 'testkit']) expect(lstatSync(join(root, 'node_modules', '@cooperbench', name)).isSymbolicLink()).toBe(false)
    const filter = only.length === 0 ? [] : ['-t', only.join('|')]
    // CI set: a suite that cannot run here fails instead of skipping.
    return run(join(root, 'node_modules', '.bin', 'vitest'), ['run', testFile, ...filter], join(root, example), { ...env, CI: 'true' }, CONFORMANCE_RUN_MS)
  }

  it(
    "the example agent's conformance suite passes outside the workspace, against the packed testkit",
    async (ctx) => {
      requireLocalBackend(ctx)
      const r = await standaloneConformance('agent-oneshot', 'test/conformance.test.ts')
      expect(r.code, show(r)).toBe(0)
      expect(r.stdout).toMatch(/Tests\s+\d+ passed/)
      expect(r.stdout).not.toMatch(/skipped/)
    },
    REGISTRY_INSTALL_MS + CONFORMANCE_RUN_MS, // its install may still be running when it starts
  )

  describe.skipIf(!dockerEngine && !process.env.CI)('the example backend plugin', () => {
    /**
     * Checks of every part of the suite a backend needs from the packed testkit (its fixture task
     * and image, a sandbox's repository and runner, the run's cleanup), not all 37: the workspace's
     * own run of this suite (examples/backend-container-cli/test/conformance.test.ts) checks the
     * same backend against the same testkit build, two minutes of containers on 2 cores.
     */
    const PACKED_BACKEND_CHECKS = [
      'preflight resolves',
      'is a clean checkout of the base commit',
      'runner.sh at /usr/local/bin/runner.sh',
      'leaves nothing labelled',
    ]
    it(
      'its conformance suite runs outside the workspace, against the packed testkit',
      async () => {
        const r = await standaloneConformance('backend-container-cli', 'test/conformance.test.ts', PACKED_BACKEND_CHECKS)
        expect(r.code, show(r)).toBe(0)
        // Each check ran: none was skipped for want of an engine, an image or a fixture.
        expect(r.stdout).toMatch(new RegExp(`Tests\\s+${PACKED_BACKEND_CHECKS.length} passed`))
        expect(r.stdout).not.toMatch(/failed/)
      },
      REGISTRY_INSTALL_MS + CONFORMANCE_RUN_MS, // its install may still be running when it starts
    )

    it('installs from its tarball, is listed, and runs an evaluated demo pair in its containers', async () => {
      const install = await installExamplePlugins()
      expect(install.code, show(install)).toBe(0)
      const list = await run(cli(), ['backends', 'list', '--json'], home, env)
      expect(JSON.parse(list.stdout)).toContainEqual(
        expect.objectContaining({ name: 'container-cli', plugin: 'cooperbench-backend-container-cli', version: '0.1.0', specificationVersion: 'backend-v1' }),
      )
      const workdir = join(home, 'container-cli')
      await mkdir(workdir, { recursive: true })
      await writeFile(
        join(workdir, 'cooperbench.config.json'),
        JSON.stringify({ datasetDir: join(home, 'dataset'), backends: { 'container-cli': { network: 'none' } } }),
      )
      const r = await run(
        cli(),
        ['run', '--backend', 'container-cli', '-a', 'oracle', '--setting', 'solo', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '-n', 'cli-backend'],
        workdir,
        env,
      )
      expect(r.code, show(r)).toBe(0)
      expect(await readJson(join(workdir, 'logs', 'cli-backend', 'solo', 'textkit_task', '7', 'f1_f2', 'eval.json'))).toMatchObject({ both_passed: true })
      const left = spawnSync('docker', ['ps', '-aq', '--filter', 'label=cooperbench.run=cli-backend'], { encoding: 'utf8' }).stdout.trim()
      expect(left, 'containers left behind').toBe('')
    }, 300_000)
  })
})
