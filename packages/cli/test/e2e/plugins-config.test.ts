import { existsSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BROKEN_PLUGIN, FUTURE_PLUGIN } from './failing-config-plugins.js'
import { DEMO_DATASET, describeResult, makeWorkdir, REPO_ROOT, requireLocalBackend, runCli, runCliInProcess, type Workdir } from './helpers.js'

const CORE_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'core', 'package.json'), 'utf8')) as { version: string }).version

/** A research repo's agent: TypeScript, no build step, no import of core, with an options schema. */
const RESEARCH_AGENT = `
interface Api { agent(registration: Record<string, unknown>): void; coreVersion: string }

export default {
  name: 'research-agents',
  version: '0.0.1',
  coreRange: '>=0.1.0 <1',
  register(api: Api): void {
    api.agent({
      name: 'scribe',
      specificationVersion: 'agent-v1',
      description: 'writes notes (core ' + api.coreVersion + ')',
      optionsSchema: { type: 'object', additionalProperties: false, properties: { note: { type: 'string' }, step_limit: { type: 'integer' } } },
      create: () => ({ specificationVersion: 'agent-v1', name: 'scribe', async run() { throw new Error('not run here') } }),
    })
  },
}
`

const NEXT_CONTRACT_PLUGIN = `export default {
  name: 'next-contract',
  version: '1.0.0',
  register(api) { api.backend({ name: 'warp', specificationVersion: 'backend-v2', create: () => ({}) }) },
}\n`

async function writeConfig(w: Workdir, config: Record<string, unknown>): Promise<void> {
  await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify(config))
}

async function writePlugins(w: Workdir): Promise<void> {
  await mkdir(join(w.cwd, 'agents'))
  await writeFile(join(w.cwd, 'agents', 'scribe.ts'), RESEARCH_AGENT)
  await writeFile(join(w.cwd, 'broken.mjs'), BROKEN_PLUGIN)
  await writeFile(join(w.cwd, 'future.ts'), FUTURE_PLUGIN)
  await writeFile(join(w.cwd, 'next.mjs'), NEXT_CONTRACT_PLUGIN)
}

const ALL_PLUGINS = ['./agents/scribe.ts', './broken.mjs', './future.ts', './next.mjs']

// Each command runs once in a real CLI process here; the second `agents list` and `run`, checks
// of what the command says, run in the test's own process.
describe('config-file plugins in the list commands', () => {
  it('lists a TypeScript plugin, and reports the broken, the future-core and the future-contract plugin under the table', async () => {
    const w = await makeWorkdir('plugins-config-list')
    await writePlugins(w)
    await writeConfig(w, { plugins: ALL_PLUGINS })
    const r = await runCli(['agents', 'list'], w.options())
    expect(r.code, describeResult(r)).toBe(0)
    expect(r.stdout).toMatch(
      new RegExp(`^scribe\\s+research-agents\\s+0\\.0\\.1\\s+agent-v1\\s+writes notes \\(core ${CORE_VERSION.replaceAll('.', '\\.')}\\)$`, 'm'),
    )
    expect(r.stdout).toMatch(/^oracle\s+@cooperbench\/builtins/m)
    expect(r.stdout).not.toContain('from-the-future')
    const after = r.stdout.slice(r.stdout.indexOf('failed to load'))
    expect(r.stdout).toContain('3 plugins failed to load and were skipped:')
    expect(after).toMatch(/^ {2}broken-plugin@1\.0\.0: cannot register today$/m)
    expect(after).toContain(
      `  future-plugin: plugin future-plugin@3.0.0 requires @cooperbench/core ^9.0.0, but this is @cooperbench/core ${CORE_VERSION} — fix: `,
    )
    expect(after).toMatch(/upgrade cooperbench to a release whose core matches \^9\.0\.0, or install an older future-plugin/)
    expect(after).toContain(
      `  next-contract: backend "warp" from next-contract@1.0.0 implements backend-v2, but this core (${CORE_VERSION}) speaks backend-v1 — fix: `,
    )
  })

  it('keeps the JSON value a plain list and puts load failures on stderr', async () => {
    const w = await makeWorkdir('plugins-config-json')
    await writePlugins(w)
    await writeConfig(w, { plugins: ALL_PLUGINS })
    const r = await runCliInProcess(['agents', 'list', '--json'], w.options())
    expect(r.code, describeResult(r)).toBe(0)
    const rows = JSON.parse(r.stdout) as Array<{ name: string; plugin: string }>
    expect(rows.map((row) => row.name)).toEqual(['claude_code', 'codex', 'mini_swe_agent', 'openhands_sdk', 'oracle', 'qwen_code', 'scribe', 'swe_agent'])
    expect(rows.find((row) => row.name === 'scribe')).toMatchObject({ plugin: 'research-agents', version: '0.0.1', specificationVersion: 'agent-v1' })
    expect(r.stderr).toMatch(/^warning: plugin broken-plugin@1\.0\.0 failed to load and was skipped: cannot register today$/m)
    expect(r.stderr).toContain(`requires @cooperbench/core ^9.0.0, but this is @cooperbench/core ${CORE_VERSION}`)
  })

  it('loads an npm package named in the config through its cooperbench:register hook file, and names a missing one', async () => {
    const w = await makeWorkdir('plugins-config-npm')
    const pkg = join(w.cwd, 'node_modules', 'cooperbench-pigeon')
    await mkdir(join(pkg, 'dist'), { recursive: true })
    await writeFile(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: 'cooperbench-pigeon',
        version: '2.1.0',
        type: 'module',
        exports: { '.': './dist/index.js' },
        oclif: { hooks: { 'cooperbench:register': './dist/register.js' } },
      }),
    )
    await writeFile(join(pkg, 'dist', 'index.js'), 'export const library = true\n')
    await writeFile(
      join(pkg, 'dist', 'register.js'),
      `const plugin = { name: 'cooperbench-pigeon', version: '2.1.0', coreRange: '>=0.1.0',
        register(api) { api.bus({ name: 'pigeon', specificationVersion: 'bus-v1', description: 'carrier pigeons', create: () => ({}) }) } }
       export default Object.assign(async () => { throw new Error('the host uses .plugin') }, { plugin })\n`,
    )
    await writeConfig(w, { plugins: ['cooperbench-pigeon', 'cooperbench-not-installed'] })
    const r = await runCli(['buses', 'list', '--json'], w.options())
    expect(r.code, describeResult(r)).toBe(0)
    expect((JSON.parse(r.stdout) as Array<{ name: string }>).find((row) => row.name === 'pigeon')).toEqual({
      name: 'pigeon',
      plugin: 'cooperbench-pigeon',
      version: '2.1.0',
      specificationVersion: 'bus-v1',
      description: 'carrier pigeons',
    })
    expect(r.stderr).toMatch(
      /warning: plugin cooperbench-not-installed failed to load and was skipped: cannot load plugin cooperbench-not-installed: .*— fix: Install the package/,
    )
  })
})

// A run that goes on while config-file plugins are skipped with warnings is config-plugins.test.ts's.
describe('config-file plugins in a run', () => {
  it('refuses, before any pair starts, agent options that break the schema, listing each with its path', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('plugins-config-options')
    await writeFile(join(w.cwd, 'agent.yaml'), 'agent:\n  cost_limit: cheap\ncompaction_keep_recent_turn: 3\n')
    await writeConfig(w, { datasetDir: DEMO_DATASET, setting: 'solo', agents: { mini_swe_agent: { step_limt: 5, model: { temperature: 9 } } } })
    const r = await runCli(
      ['run', '-a', 'mini_swe_agent', '-m', 'openai/gpt-4o', '-n', 'bad-options', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '--agent-config', 'agent.yaml'],
      w.options({ env: { OPENAI_API_KEY: 'sk-test' } }),
    )
    expect(r.code, describeResult(r)).toBe(2)
    expect(r.stderr).toContain('error: invalid options of agent mini_swe_agent')
    expect(r.stderr).toContain('  - agents.mini_swe_agent.step_limt: unknown key "step_limt" (did you mean "step_limit"?)')
    expect(r.stderr).toContain('  - agents.mini_swe_agent.model.temperature: must be <= 2')
    expect(r.stderr).toContain('  - agents.mini_swe_agent.agent.cost_limit: must be number')
    expect(r.stderr).toContain(
      '  - agents.mini_swe_agent.compaction_keep_recent_turn: unknown key "compaction_keep_recent_turn" (did you mean "compaction_keep_recent_turns"?)',
    )
    expect(r.stderr).toContain('hint: Fix these keys in agents.mini_swe_agent of the config file or in the --agent-config file.')
    expect(existsSync(join(w.logs, 'bad-options', 'solo'))).toBe(false)
  }, 120_000)

  it('refuses backend options that break the backend schema with their path', async () => {
    const w = await makeWorkdir('plugins-config-backend-options')
    await writeConfig(w, { datasetDir: DEMO_DATASET, backends: { local: { rooot: '/tmp', maxOutputBytes: 5 } } })
    const r = await runCliInProcess(['run', '-a', 'oracle', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '--setting', 'solo'], w.options())
    expect(r.code, describeResult(r)).toBe(2)
    expect(r.stderr).toContain('error: invalid options of backend local')
    expect(r.stderr).toContain('  - backends.local.rooot: unknown key "rooot" (did you mean "root"?)')
    expect(r.stderr).toContain('  - backends.local.maxOutputBytes: must be >= 1024')
    expect(r.stderr).toContain('hint: Fix these keys in backends.local of the config file.')
  })
})

/** A run-scope service that replaces the backend with one whose sandboxes are refused, naming the plugin. */
const GUARD_PLUGIN = `export default {
  name: 'sandbox-guard',
  version: '1.0.0',
  register(api) {
    api.service({
      token: Symbol.for('cooperbench.backend'),
      scope: 'run',
      create(ctx) {
        const inner = ctx.resolve(Symbol.for('cooperbench.backend'))
        return Object.assign(Object.create(inner), {
          async createSandbox() { throw new Error('sandbox refused by sandbox-guard') },
        })
      },
    })
  },
}\n`

describe('plugin services in every run scope', () => {
  it('dataset conflicts uses a backend that a run-scope service replaced', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('plugins-config-conflicts-service')
    await writeFile(join(w.cwd, 'guard.mjs'), GUARD_PLUGIN)
    await writeConfig(w, { plugins: ['./guard.mjs'], datasetDir: DEMO_DATASET, backend: 'local' })
    const r = await runCli(['dataset', 'conflicts', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '--json', '--no-write'], w.options())
    expect(r.code, describeResult(r)).toBe(0)
    const report = JSON.parse(r.stdout) as { summary: { errors: number }; results: Array<{ error?: string | null }> }
    expect(report.summary.errors).toBe(1)
    expect(JSON.stringify(report)).toContain('sandbox refused by sandbox-guard')
  })
})
