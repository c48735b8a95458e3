/**
 * Build time only (the runtime reads `schema.json`): the config file's JSON schema made from the
 * declaration as built in dist. `write-config-schema.mjs` writes it; a test keeps the two equal.
 */
import { z } from 'zod'

const { configDeclaration } = await import(new URL('../dist/declaration.js', import.meta.url))

/** Where editors and `$schema` find the config file's schema. */
const CONFIG_SCHEMA_ID = 'https://cooperbench.dev/schemas/config.json'

/**
 * The config file's JSON schema (draft-07) made from {@link configDeclaration}: what `schema.json`
 * holds (`pnpm config:schema` writes it; a test keeps the two equal), so editors and ajv read
 * the plain JSON-schema forms (`"type": ["string", "null"]`) rather than zod's spelling of them.
 */
export function configJsonSchema() {
  const { $schema, title, description, type, additionalProperties, properties } = z.toJSONSchema(configDeclaration, { target: 'draft-7', io: 'input' })
  return plainJsonSchema({ $schema, $id: CONFIG_SCHEMA_ID, title, description, type, additionalProperties, properties })
}

/** zod's output in the forms a hand-written schema uses; nothing it accepts or refuses changes. */
function plainJsonSchema(value) {
  if (Array.isArray(value)) return value.map(plainJsonSchema)
  if (!value || typeof value !== 'object') return value
  // A key's spellings (flag, environment variable) are the CLI's and configFromEnv's, not a schema keyword.
  const { spellings: _spellings, ...schema } = value
  let node = Object.fromEntries(Object.entries(schema).map(([key, child]) => [key, plainJsonSchema(child)]))
  node = nullableAsTypeList(node)
  // RegExp#source escapes "/", which a JSON-schema pattern need not: the same expression, as written.
  if (typeof node['pattern'] === 'string') node['pattern'] = node['pattern'].replace(/(?<!\\)\\\//g, '/')
  // z.int() states JavaScript's safe-integer range; JSON schema's integer needs no such bound.
  if (node['maximum'] === Number.MAX_SAFE_INTEGER) delete node['maximum']
  if (node['minimum'] === Number.MIN_SAFE_INTEGER) delete node['minimum']
  // A record's keys are strings in JSON anyway; an empty `properties` or `additionalProperties` says nothing.
  if (isStringType(node['propertyNames'])) delete node['propertyNames']
  if (isEmptyObject(node['properties']) && isEmptyObject(node['additionalProperties'])) {
    delete node['properties']
    delete node['additionalProperties']
  }
  return node
}

/** `{ anyOf: [{ type: T, …rest }, { type: 'null' }], …outer }` → `{ type: [T, 'null'], …rest, …outer }`. */
function nullableAsTypeList(node) {
  const anyOf = node['anyOf']
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return node
  const [value, nothing] = anyOf
  if (!value || typeof value['type'] !== 'string' || nothing?.['type'] !== 'null' || Object.keys(nothing).length !== 1) return node
  const { anyOf: _anyOf, ...outer } = node
  const { type, ...rest } = value
  return { type: [type, 'null'], ...rest, ...outer }
}

function isStringType(value) {
  return !!value && typeof value === 'object' && Object.keys(value).length === 1 && value['type'] === 'string'
}

function isEmptyObject(value) {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0
}
