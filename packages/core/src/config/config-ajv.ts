import { createRequire } from 'node:module'
import type { Ajv, Options } from 'ajv'

/**
 * The one ajv setup behind every config check: the config file's validator, generated at build time
 * from it (`schema-validator.generated.ts`), and plugins' option schemas, compiled at run time.
 * `verbose` puts the failing subschema on each error: needed for did-you-mean and custom messages.
 */
export function configAjvOptions(options: { strict: boolean; useDefaults: boolean }): Options {
  return { allErrors: true, verbose: true, allowUnionTypes: true, addUsedSchema: false, ...options }
}

/**
 * An ajv instance with {@link configAjvOptions}. ajv (some 70 modules) is loaded on first use, not
 * when the config module is imported: a command whose config holds no plugin options never loads it.
 */
export function createConfigAjv(options: Parameters<typeof configAjvOptions>[0] & { code?: Options['code'] }): Ajv {
  const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv')
  const { code, ...rest } = options
  const ajv = new AjvClass({ ...configAjvOptions(rest), ...(code === undefined ? {} : { code }) })
  // VS Code shows `patternErrorMessage` instead of the bare regex; so do we.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' })
  return ajv
}
