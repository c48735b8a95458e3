import { configDeclaration } from './declaration.js'
import type { ResolvedConfig } from './types.js'

const { $schema: _schema, ...declaredDefaults } = configDeclaration.parse({})

/**
 * Built-in defaults: the reference CLI's (docs/reference-compatibility.md#cli), but the embedded backend and bus
 * (`local`, `memory`: no daemon); paths relative to the working directory. Read from {@link configDeclaration}, where each
 * is declared with its key (and whence `schema.json` states them).
 */
export const CONFIG_DEFAULTS: Readonly<ResolvedConfig> = Object.freeze(declaredDefaults)

/** The Redis URL the reference uses when `--redis` is not given (docs/reference-compatibility.md#cli). */
export const DEFAULT_REDIS_URL = 'redis://localhost:6379'
