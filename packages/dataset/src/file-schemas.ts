import { createRequire } from 'node:module'
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv'

/** JSON schemas of the dataset's own JSON files, and a file's shape problems against one, by path (the caller words each). */

const featureOrTaskId = { type: 'integer', minimum: 0 } as const

/** `<dataset>/subsets/<name>.json`; other keys are checked by the reader (`SUBSET_FILE_KEYS`) so a misspelt `"group"` errs rather than select every pair. */
export const SUBSET_FILE_SCHEMA = {
  type: 'object',
  required: ['tasks'],
  properties: {
    description: {},
    tasks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['repo', 'task_id'],
        properties: {
          repo: { type: 'string', minLength: 1 },
          // Upstream's all.json writes task ids as strings ("1371").
          task_id: { anyOf: [featureOrTaskId, { type: 'string', pattern: '^[0-9]+$' }] },
          // `null` reads like an absent key.
          pairs: { type: ['array', 'null'], items: { type: 'array', minItems: 2, maxItems: 2, items: featureOrTaskId } },
          // Upstream's N-agent subsets (team3_*.json, team4_*.json): N-element feature tuples.
          groups: { type: ['array', 'null'], items: { type: 'array', minItems: 2, items: featureOrTaskId } },
        },
      },
    },
  },
} as const

/** `<task>/cooperbench.json`: `{ "local": { "hostTools": ["bash", …] } }`, other keys allowed. */
export const TASK_MANIFEST_SCHEMA = {
  type: 'object',
  properties: {
    local: {
      type: 'object',
      required: ['hostTools'],
      properties: { hostTools: { type: 'array', items: { type: 'string', pattern: '\\S' } } },
    },
  },
} as const

/** ajv (some 70 modules) is loaded when a file is first checked, not whenever the dataset package is imported. */
let ajv: Ajv | undefined
const validators = new Map<object, ValidateFunction>()

/** The path (keys and indexes; a missing required key's own) of each shape problem of `data`, once each, in the order the schema checks them. */
export function shapeProblemPaths(schema: object, data: unknown): Array<Array<string | number>> {
  let validate = validators.get(schema)
  if (!validate) {
    ajv ??= new (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv({ allErrors: true, allowUnionTypes: true })
    validate = ajv.compile(schema)
    validators.set(schema, validate)
  }
  if (validate(data)) return []
  // A Map keeps each key where it was first set: the schema's order, one entry per path.
  return [...new Map((validate.errors ?? []).map(pathOf).map((path) => [JSON.stringify(path), path])).values()]
}

function pathOf(error: ErrorObject): Array<string | number> {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part))
  if (error.keyword === 'required') parts.push((error.params as { missingProperty: string }).missingProperty)
  return parts
}

export function valueAt(data: unknown, path: ReadonlyArray<string | number>): unknown {
  let value = data
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string | number, unknown>)[part]
  }
  return value
}
