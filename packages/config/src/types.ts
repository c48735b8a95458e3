import type { z } from 'zod'
import type { configDeclaration } from './declaration.js'

/** What a config file may hold: {@link configDeclaration}'s input side (`schema.json`'s shape); every key optional, `null` "not set". */
export type CooperbenchConfig = z.input<typeof configDeclaration>

/** Flags' values: `undefined` is "not given" and never overrides a lower layer; `--no-messaging` maps to `messaging: false`. */
export type ConfigFlags = Omit<CooperbenchConfig, '$schema'>

/** A run's configuration: every key (defaults filled in), absolute paths, `features` unique and ascending, local plugins absolute. */
export type ResolvedConfig = Omit<z.output<typeof configDeclaration>, '$schema'>

/** Where a resolved value came from. */
export type ConfigLayer = 'default' | 'file' | 'env' | 'flags'
