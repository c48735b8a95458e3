import type { Ajv, ErrorObject, ValidateFunction } from 'ajv'
import { CooperbenchError, type PluginKind } from '@cooperbench/spec'
import { createConfigAjv, PLUGIN_AJV_OPTIONS } from './config-ajv.js'
import { suggestKey } from './did-you-mean.js'
import { clonePlain } from './objects.js'
import { validate as generatedMetaSchemaValidator } from './meta-schema-validator.generated.js'
import { validate as generatedConfigValidator } from './schema-validator.generated.js'
import type { CooperbenchConfig } from './types.js'

/** One invalid value: `path` as in `image.template` or `agents.oracle.foo` (empty for the root). */
export interface ConfigProblem {
  path: string
  message: string
}

/** The config-file section that holds the options of each kind of plugin object. */
export const PLUGIN_OPTIONS_SECTION: Record<PluginKind, 'agents' | 'backends' | 'buses' | 'evaluators' | 'settings'> = {
  agent: 'agents',
  backend: 'backends',
  bus: 'buses',
  evaluator: 'evaluators',
  setting: 'settings',
}

const SCHEMA_LOCATION = '@cooperbench/config/schema.json'

/** The config file's validator: schema.json compiled by ajv at build time (`pnpm config:schema`), with `createConfigAjv`'s options. */
const configValidator = generatedConfigValidator as unknown as ValidateFunction
let pluginAjv: Ajv | undefined
const pluginValidators = new WeakMap<object, ValidateFunction>()
/** ajv's check of an options schema against draft-07, compiled at build time with {@link PLUGIN_AJV_OPTIONS} (`pnpm config:schema`). */
const metaSchemaValidator = generatedMetaSchemaValidator as unknown as ValidateFunction
/** The meta-schema `metaSchemaValidator` holds, as a schema names it in `$schema`. */
const DRAFT_07_IDS: ReadonlySet<unknown> = new Set(['http://json-schema.org/draft-07/schema', 'http://json-schema.org/draft-07/schema#'])

/**
 * What ajv's `compile` does first, made with the generated check where the schema is draft-07 (no
 * `$schema`, or that one): the same verdict and message, without compiling the meta-schema in every
 * command. A schema naming another meta-schema is left to ajv, which refuses one it does not know.
 */
function checkAgainstMetaSchema(ajv: Ajv, schema: Record<string, unknown>): void {
  if (schema['$schema'] !== undefined && !DRAFT_07_IDS.has(schema['$schema'])) {
    ajv.validateSchema(schema, true)
    return
  }
  if (!metaSchemaValidator(schema)) throw new Error(`schema is invalid: ${ajv.errorsText(metaSchemaValidator.errors)}`)
}

/** The longest name of one folder that common file systems take (ext4, XFS, btrfs, APFS): 255 bytes. */
const MAX_FOLDER_NAME_BYTES = 255

/** Every problem of a config object (a file's content or a merged config), in schema order. */
export function findConfigProblems(value: unknown): ConfigProblem[] {
  configValidator(value)
  return [...toProblems(configValidator.errors, value, []), ...runNameLengthProblems(value)]
}

/** The run name is a folder name, limited in bytes, which a JSON schema cannot count (`maxLength` counts characters). */
function runNameLengthProblems(value: unknown): ConfigProblem[] {
  const runName = typeof value === 'object' && value !== null ? (value as { runName?: unknown }).runName : undefined
  if (typeof runName !== 'string') return []
  const bytes = Buffer.byteLength(runName, 'utf8')
  if (bytes <= MAX_FOLDER_NAME_BYTES) return []
  return [{ path: 'runName', message: `is ${bytes} bytes long; a folder name takes at most ${MAX_FOLDER_NAME_BYTES} bytes (UTF-8): use a shorter name` }]
}

/** `findConfigProblems` as `<path>: <message>` lines. */
export function configProblems(value: unknown): string[] {
  return findConfigProblems(value).map(formatProblem)
}

/** Checks a config file's content (or any partial config); one CONFIG_INVALID lists every problem, `source` naming where from. */
export function validateConfig(value: unknown, source: string): CooperbenchConfig {
  const problems = configProblems(value)
  if (problems.length > 0) throw invalidConfigError(source, problems)
  return value as CooperbenchConfig
}

/** Problems of a plugin object's options against its schema, at their config place (`agents.oracle.foo`). */
export function pluginOptionsProblems(kind: PluginKind, name: string, schema: Record<string, unknown>, options: unknown): string[] {
  return validatePluginValue(kind, name, schema, options).problems
}

/** A plugin object's options validated by its schema, a copy with defaults filled in; one CONFIG_INVALID lists every problem. */
export function validatePluginOptions(kind: PluginKind, name: string, schema: Record<string, unknown>, options: unknown): Record<string, unknown> {
  const { problems, value } = validatePluginValue(kind, name, schema, options)
  if (problems.length > 0) {
    throw invalidConfigError(`${PLUGIN_OPTIONS_SECTION[kind]}.${name}`, problems, {
      hint: `Fix the options of ${kind} "${name}"; its documentation lists what it accepts.`,
    })
  }
  return value as Record<string, unknown>
}

function validatePluginValue(kind: PluginKind, name: string, schema: Record<string, unknown>, options: unknown) {
  // Compiled once per schema object; checked against the meta-schema by the generated validator.
  pluginAjv ??= createConfigAjv({ ...PLUGIN_AJV_OPTIONS, validateSchema: false })
  let validate = pluginValidators.get(schema)
  if (!validate) {
    try {
      checkAgainstMetaSchema(pluginAjv, schema)
      validate = pluginAjv.compile(schema)
    } catch (error) {
      throw new CooperbenchError('PLUGIN_FAILED', `${kind} "${name}" declares an invalid options schema`, {
        cause: error,
        details: [error instanceof Error ? error.message : String(error)],
        hint: `Report this to the plugin's authors.`,
      })
    }
    pluginValidators.set(schema, validate)
  }
  // Options may be shared with the resolved config: defaults go into a copy.
  const value = clonePlain(options ?? {})
  validate(value)
  return { problems: toProblems(validate.errors, value, [PLUGIN_OPTIONS_SECTION[kind], name]).map(formatProblem), value }
}

/** The error every invalid configuration raises: one detail line per problem. */
export function invalidConfigError(source: string, details: string[], options: { hint?: string; cause?: unknown } = {}): CooperbenchError {
  return new CooperbenchError('CONFIG_INVALID', `invalid configuration in ${source}`, {
    details,
    hint: options.hint ?? `Fix the values listed above; the schema of the config file is ${SCHEMA_LOCATION}.`,
    cause: options.cause,
  })
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.path === '' ? '(root)' : problem.path}: ${problem.message}`
}

/** Keys of earlier configs that took other names: cooperbench 0.1's (the library's options, the reference's API camelCased), `teamSize`. */
const RENAMED_CONFIG_KEYS: Record<string, string> = {
  name: 'runName',
  model: 'modelName',
  task: 'taskId',
  redis: 'redisUrl',
  git: 'gitEnabled',
  messaging: 'messagingEnabled',
  teamSize: 'pairSize',
}

/** Top-level keys of earlier versions whose options now live under a plugin's section (the team's switches, under its setting). */
const MOVED_CONFIG_KEYS: Record<string, string> = { team: 'settings.team' }

function toProblems(errors: ErrorObject[] | null | undefined, data: unknown, prefix: string[]): ConfigProblem[] {
  const seen = new Set<string>()
  const problems: ConfigProblem[] = []
  for (const error of errors ?? []) {
    const pathParts = instancePathParts(error.instancePath, data)
    let message = describe(error)
    if (error.keyword === 'additionalProperties') {
      const key = String(error.params['additionalProperty'])
      const known = Object.keys((error.parentSchema?.['properties'] as object | undefined) ?? {})
      // A key close to an old name (`modle` → `model`) means its new one (`modelName`), when nothing here is closer.
      const oldName = suggestKey(key, Object.keys(RENAMED_CONFIG_KEYS))
      const newName = oldName === undefined ? undefined : RENAMED_CONFIG_KEYS[oldName]
      const renamed = oldName === key && newName !== undefined && known.includes(newName)
      const suggestion = renamed ? newName : (suggestKey(key, known) ?? (newName !== undefined && known.includes(newName) ? newName : undefined))
      const moved = prefix.length === 0 && pathParts.length === 0 ? MOVED_CONFIG_KEYS[key] : undefined
      message = moved
        ? `unknown key "${key}" (moved to "${moved}": the same options, e.g. { "settings": { "${moved.split('.')[1]}": { … } } })`
        : `unknown key "${key}"${suggestion === undefined ? '' : ` (${renamed ? 'renamed to' : 'did you mean'} "${suggestion}"${renamed ? '' : '?'})`}`
      pathParts.push({ key, index: false })
    }
    const path = formatPath([...prefix.map((key) => ({ key, index: false })), ...pathParts])
    const line = `${path}\u0000${message}`
    if (seen.has(line)) continue
    seen.add(line)
    problems.push({ path, message })
  }
  return problems
}

interface PathPart {
  key: string
  index: boolean
}

/** JSON-pointer segments, telling array indexes from object keys by walking the data. */
function instancePathParts(pointer: string, data: unknown): PathPart[] {
  if (pointer === '') return []
  const parts: PathPart[] = []
  let current: unknown = data
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    const index = Array.isArray(current)
    parts.push({ key, index })
    current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined
  }
  return parts
}

function formatPath(parts: PathPart[]) {
  let path = ''
  for (const { key, index } of parts) {
    if (index) path += `[${key}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) path += path === '' ? key : `.${key}`
    else path += `[${JSON.stringify(key)}]`
  }
  return path
}

function describe(error: ErrorObject) {
  const pattern = error.parentSchema?.['patternErrorMessage']
  switch (error.keyword) {
    case 'type':
      return `must be ${String(error.params['type']).split(',').join(' or ')}`
    case 'enum':
      return `must be one of ${(error.params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    case 'pattern':
      return typeof pattern === 'string' ? pattern : (error.message ?? 'is invalid')
    case 'minLength':
      return error.params['limit'] === 1 ? 'must not be empty' : (error.message ?? 'is too short')
    case 'minItems':
      return error.params['limit'] === 1 ? 'must not be empty' : (error.message ?? 'has too few items')
    default:
      return error.message ?? `is invalid (${error.keyword})`
  }
}
