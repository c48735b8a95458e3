import { createRequire } from 'node:module'
import type { Ajv, Options } from 'ajv'

/** What differs between the config file's validator and plugins' option schemas. */
export type ConfigAjvOptions = Required<Pick<Options, 'strict' | 'useDefaults'>> & Pick<Options, 'code' | 'validateSchema'>

/**
 * Plugins' option schemas: third-party schemas may use keywords ajv does not know (not strict);
 * defaults are filled in. Their check against the meta-schema is the generated
 * `meta-schema-validator.generated.ts`, made with these options, so `validate.ts` turns ajv's own off.
 */
export const PLUGIN_AJV_OPTIONS = { strict: false, useDefaults: true } as const satisfies ConfigAjvOptions

/**
 * The one ajv setup behind the config file's validator (generated at build time: `schema-validator.generated.ts`) and plugins' option
 * schemas (compiled at run time). `verbose` puts the failing subschema on each error (for did-you-mean and custom messages). ajv (some
 * 70 modules) loads on first use: a command whose config holds no plugin options never loads it.
 */
export function createConfigAjv(options: ConfigAjvOptions): Ajv {
  const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv')
  const ajv = new AjvClass({ allErrors: true, verbose: true, allowUnionTypes: true, addUsedSchema: false, ...options })
  // VS Code shows `patternErrorMessage` instead of the bare regex; so do we.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' })
  return ajv
}
