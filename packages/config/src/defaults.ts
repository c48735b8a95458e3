import { DECLARED_DEFAULTS } from './declared-keys.generated.js'
import type { ResolvedConfig } from './types.js'

/**
 * The reference CLI's (docs/reference-compatibility.md#cli) but the embedded backend and bus
 * (`local`, `memory`: no daemon); paths relative to the working directory. Declared with each key
 * in `configDeclaration` (and so in `schema.json`), read from it at build time
 * (`declared-keys.generated.ts`).
 */
export const CONFIG_DEFAULTS: Readonly<ResolvedConfig> = Object.freeze(DECLARED_DEFAULTS as ResolvedConfig)

/** The Redis URL the reference uses when `--redis` is not given (docs/reference-compatibility.md#cli). */
export const DEFAULT_REDIS_URL = 'redis://localhost:6379'
