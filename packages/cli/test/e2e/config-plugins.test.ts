import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BROKEN_PLUGIN, FUTURE_PLUGIN } from './failing-config-plugins.js'
import { DEMO_DATASET, describeResult, makeWorkdir, readJson, REPO_ROOT, requireLocalBackend, runCli } from './helpers.js'

const CORE_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'core', 'package.json'), 'utf8')) as { version: string }).version

/** A plugin module as a research repo would keep it: TypeScript, no build step, no imports. */
const AGENT_PLUGIN = `
interface Api { agent(registration: Record<string, unknown>): void }

const plugin = {
  name: 'research-repo-agents',
  version: '0.0.1',
  register(api: Api): void {
    api.agent({
      name: 'touch',
      specificationVersion: 'agent-v1',
      shorthand: 'to',
      create: () => ({
        specificationVersion: 'agent-v1',
        name: 'touch',
        async run(ctx: any) {
          const r = await ctx.sandbox.exec('echo "made by " "$1" > NOTES.md', { env: {} })
          return { status: r.exitCode === 0 ? 'Submitted' : 'Error', cost: 0, steps: 1, input_tokens: 0, output_tokens: 0,
                   cache_read_tokens: 0, cache_write_tokens: 0, messages: [{ role: 'tool', content: r.stdout }], error: null }
        },
      }),
    })
  },
}
export default plugin
`

describe('plugins named in a config file', () => {
  it('loads a local TypeScript agent module and runs it, while a plugin that throws and a plugin for a future core are skipped with warnings', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('config-plugins')
    await writeFile(join(w.cwd, 'touch-agent.ts'), AGENT_PLUGIN)
    await writeFile(join(w.cwd, 'broken.mjs'), BROKEN_PLUGIN)
    await writeFile(join(w.cwd, 'future.ts'), FUTURE_PLUGIN)
    await writeFile(
      join(w.cwd, 'cooperbench.config.json'),
      JSON.stringify({ plugins: ['./touch-agent.ts', './broken.mjs', './future.ts'], datasetDir: DEMO_DATASET, agent: 'touch', setting: 'solo' }),
    )
    const r = await runCli(['run', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '--no-auto-eval'], w.options())
    expect(r.code, describeResult(r)).toBe(0)
    expect(r.stderr, 'the plugin that throws is named with its error').toMatch(/warning: plugin broken-plugin@1\.0\.0 failed .*cannot register today/)
    expect(r.stderr, "the future core's plugin is named with the core it requires").toContain(
      `warning: plugin future-plugin failed to load and was skipped: plugin future-plugin@3.0.0 requires @cooperbench/core ^9.0.0, but this is @cooperbench/core ${CORE_VERSION}`,
    )
    const pair = join(w.logs, 'solo-to-gemini-3-flash-textkit-7', 'solo', 'textkit_task', '7', 'f1_f2')
    const result = await readJson(join(pair, 'result.json'))
    expect(result).toMatchObject({ agent_framework: 'touch', agent: { status: 'Submitted', patch_source: 'harness_diff' } })
    const { readFile } = await import('node:fs/promises')
    expect(await readFile(join(pair, 'solo.patch'), 'utf8')).toContain('+++ b/NOTES.md')
  }, 120_000)
})
