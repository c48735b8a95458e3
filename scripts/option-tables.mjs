#!/usr/bin/env node
/**
 * Renders the option tables of docs/user-guide.md from the code: the config file's keys from
 * @cooperbench/config's schema.json and CONFIG_DEFAULTS, their flags and variables from its DECLARED_KEYS, and each first-party plugin's options from the JSON
 * schema it registers. `pnpm docs:options` rewrites the marked regions
 * (`<!-- options:<id>:start -->` … `<!-- options:<id>:end -->`); a test fails when they differ.
 * Reads the built packages (`pnpm build` first).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const ROOT = new URL('..', import.meta.url)
export const USER_GUIDE = fileURLToPath(new URL('docs/user-guide.md', ROOT))

/** The first-party plugins whose options are documented, by their register modules. */
const PLUGIN_MODULES = [
  'packages/backend-local/dist/register.js',
  'packages/backend-docker/dist/register.js',
  'packages/backend-modal/dist/register.js',
  'packages/backend-gcp/dist/register.js',
  'packages/bus-redis/dist/register.js',
  'packages/agent-mini-swe/dist/register.js',
  'packages/setting-team/dist/register.js',
  'packages/agent-swe-agent/dist/register.js',
]

const cell = (text) => String(text).replaceAll('|', '\\|').replaceAll('\n', ' ')
const code = (value) => (value === undefined ? '' : `\`${JSON.stringify(value)}\``)

function typeOf(schema) {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ')
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ')
  if (Array.isArray(schema.type)) return schema.type.join(' or ')
  if (schema.type === 'array' && schema.items) return `${typeOf(schema.items)}[]`
  return schema.type ?? 'any'
}

/**
 * Rows of an options schema as cells (key, type, default, meaning): one per key, with the `default`
 * the host fills in; nested objects' keys as `parent.child`, except blocks that only repeat the parent's keys.
 */
function schemaRows(schema, prefix = '') {
  const rows = []
  const own = Object.keys(schema.properties ?? {})
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    rows.push([`\`${prefix}${key}\``, cell(typeOf(property)), cell(code(property.default)), cell(property.description ?? '')])
    const children = Object.keys(property.properties ?? {})
    const mirrors = children.length > 0 && children.every((child) => own.includes(child))
    if (children.length > 0 && !mirrors) rows.push(...schemaRows(property, `${prefix}${key}.`))
  }
  return rows
}

/** A plugin's table; without a default column when its schema declares none (a schema that applies its defaults itself). */
function pluginTable(schema) {
  const rows = schemaRows(schema)
  const withDefaults = rows.some((row) => row[2] !== '')
  const shown = withDefaults ? rows : rows.map(([key, type, , meaning]) => [key, type, meaning])
  const header = withDefaults ? ['key', 'type', 'default', 'meaning'] : ['key', 'type', 'meaning']
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...shown.map(line)].join('\n')
}

/** The flag a key declares, as help shows it: `-m, --model`. */
function flagCell(setting) {
  if (!setting?.spellings.flag) return ''
  const { char, flag } = setting.spellings
  const name = setting.kind === 'boolean' && setting.default === true ? `--[no-]${flag}` : `--${flag}`
  return `\`${char ? `-${char}, ` : ''}${name}\``
}

function configTable(schema, defaults, env, declared) {
  const declaredFlags = (key) =>
    declared
      .filter((setting) => setting.path[0] === key)
      .map(flagCell)
      .filter((cell) => cell !== '')
      .join(', ')
  const rows = Object.entries(schema.properties)
    .filter(([key]) => key !== '$schema')
    .map(
      ([key, property]) =>
        `| \`${key}\` | ${cell(typeOf(property))} | ${cell(code(defaults[key]))} | ${declaredFlags(key)} | ${env[key] ? `\`${env[key]}\`` : ''} | ${cell(property.description ?? '')} |`,
    )
  return ['| key | type | default | flag | environment | meaning |', '|---|---|---|---|---|---|', ...rows].join('\n')
}

/** Every generated table, by region id. */
export async function renderOptionTables() {
  const config = await import(new URL('packages/config/dist/index.js', ROOT))
  const { PluginRegistry, applyPlugin } = await import(new URL('packages/core/dist/index.js', ROOT))
  const tables = { config: configTable(config.configSchema, config.CONFIG_DEFAULTS, config.CONFIG_ENV_VARIABLES, config.DECLARED_KEYS) }
  const registry = new PluginRegistry()
  for (const module of PLUGIN_MODULES) {
    const loaded = (await import(new URL(module, ROOT))).default
    await applyPlugin(registry, loaded.plugin ?? loaded)
  }
  for (const kind of ['agent', 'backend', 'bus', 'evaluator', 'setting']) {
    for (const entry of registry.list(kind)) {
      if (!entry.optionsSchema) continue
      tables[`${kind}-${entry.name}`] = pluginTable(entry.optionsSchema)
    }
  }
  return tables
}

const REGION = /<!-- options:([\w-]+):start -->\n[\s\S]*?<!-- options:\1:end -->/g

/** The user guide with every marked region replaced by its table. Throws for a region with no table, or a table with no region. */
export function fillRegions(text, tables) {
  const seen = new Set()
  const filled = text.replace(REGION, (_, id) => {
    if (!(id in tables)) throw new Error(`docs/user-guide.md has a region "${id}" that no table fills`)
    seen.add(id)
    return `<!-- options:${id}:start -->\n${tables[id]}\n<!-- options:${id}:end -->`
  })
  const missing = Object.keys(tables).filter((id) => !seen.has(id))
  if (missing.length > 0)
    throw new Error(`docs/user-guide.md lacks a region for ${missing.join(', ')}: add <!-- options:<id>:start --> / <!-- options:<id>:end --> markers`)
  return filled
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const before = readFileSync(USER_GUIDE, 'utf8')
  const after = fillRegions(before, await renderOptionTables())
  if (after !== before) writeFileSync(USER_GUIDE, after)
  console.log(after === before ? 'docs/user-guide.md: option tables up to date' : 'docs/user-guide.md: option tables rewritten')
}
