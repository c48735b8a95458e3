/**
 * JSON schemas of the dataset's own JSON files. `pnpm dataset:validators` compiles them into
 * `file-validators.generated.ts`; `file-shapes.ts` reads a file's problems from those.
 */

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
