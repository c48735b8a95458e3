import { configDeclaration } from './declaration.js'
import type { ResolvedConfig } from './types.js'

const { $schema: _schema, ...declaredDefaults } = configDeclaration.parse({})

/**
 * The reference CLI's (docs/reference-compatibility.md#cli) but the embedded backend and bus (`local`, `memory`: no daemon); paths
 * relative to the working directory. Declared with each key in {@link configDeclaration} (and so in `schema.json`).
 */
export const CONFIG_DEFAULTS: Readonly<ResolvedConfig> = Object.freeze(declaredDefaults)

/** The Redis URL the reference uses when `--redis` is not given (docs/reference-compatibility.md#cli). */
export const DEFAULT_REDIS_URL = 'redis://localhost:6379'
