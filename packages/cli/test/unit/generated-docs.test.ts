/**
 * What users read about options comes from the code: the user guide's option tables are the
 * ones `pnpm docs:options` renders from the schemas, and every `[default: …]` in the CLI's help
 * is the default the run really uses.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CONFIG_DEFAULTS, DECLARED_KEYS } from '@cooperbench/config'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs script without types
import { fillRegions, renderOptionTables, USER_GUIDE } from '../../../../scripts/option-tables.mjs'

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

describe('generated documentation', () => {
  it('the option tables of docs/user-guide.md match the schemas (run `pnpm docs:options` after changing one)', async () => {
    const current = readFileSync(USER_GUIDE, 'utf8')
    const tables = (await renderOptionTables()) as Record<string, string>
    expect(Object.keys(tables)).toEqual(expect.arrayContaining(['config', 'backend-local', 'backend-docker', 'bus-redis', 'agent-mini_swe_agent']))
    expect(fillRegions(current, tables), 'docs/user-guide.md is stale: run `pnpm docs:options`').toBe(current)
    // Every config key is in the table, with its default.
    for (const key of Object.keys(CONFIG_DEFAULTS)) expect(tables.config).toContain(`| \`${key}\` |`)
  })

  it("every [default: …] in run and eval help is the config default of the flag's key", () => {
    const manifest = JSON.parse(readFileSync(join(CLI, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, { flags: Record<string, { description?: string }> }>
    }
    // run: every flag a setting declares, but switches (their help shows --[no-]x, not a default); -a/--agents is hand-written.
    const declared = DECLARED_KEYS.filter((setting) => setting.spellings.flag !== undefined && setting.kind !== 'boolean')
    const keyOf: Record<string, Record<string, string>> = {
      run: { ...Object.fromEntries(declared.map((setting) => [setting.spellings.flag, setting.path.join('.')])), agents: 'pairSize' },
      eval: { concurrency: 'evalConcurrency', backend: 'backend', evaluator: 'evaluator', 'test-timeout': 'testTimeoutSeconds' },
    }
    expect(Object.keys(keyOf.run ?? {})).toEqual(expect.arrayContaining(['model', 'concurrency', 'step-limit', 'cost-limit', 'image-namespace']))
    const defaults = CONFIG_DEFAULTS as unknown as Record<string, unknown> & { image: Record<string, unknown> }
    for (const [command, flags] of Object.entries(keyOf)) {
      for (const [flag, key] of Object.entries(flags)) {
        const description = manifest.commands[command]!.flags[flag]!.description ?? ''
        const value = key.startsWith('image.') ? defaults.image[key.slice(6)] : defaults[key]
        expect(description, `${command} --${flag}`).toMatch(new RegExp(`\\[default: ${String(value ?? 'none').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\]$`))
      }
    }
  })
})
