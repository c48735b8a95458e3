import type { ErrorObject } from 'ajv'

/**
 * A dataset file's shape problems, by path (the caller words each), from the validators
 * `pnpm dataset:validators` compiled at build time: no command loads ajv or compiles a schema to
 * read the dataset.
 */
export { validateSubsetFile, validateTaskManifest } from './file-validators.generated.js'

/** One of the generated validators: true, or false with ajv's `errors` set on it. */
type FileValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null }

/** The path (keys and indexes; a missing required key's own) of each shape problem of `data`, once each, in the order the schema checks them. */
export function shapeProblemPaths(validate: FileValidator, data: unknown): Array<Array<string | number>> {
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
