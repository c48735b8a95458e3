import type { z } from 'zod'
import type { configDeclaration } from './declaration.js'

/**
 * What a config file may hold: the input side of {@link configDeclaration} (`schema.json`
 * describes the same shape for editors). Every key is optional; `null` means "not set" where the
 * key allows it.
 */
export type CooperbenchConfig = z.input<typeof configDeclaration>

/**
 * Values from command-line flags. `undefined` means "flag not given" and never overrides
 * a lower layer; the CLI maps `--no-messaging` to `messaging: false`, and so on.
 */
export type ConfigFlags = Omit<CooperbenchConfig, '$schema'>

/**
 * The configuration a run uses: every key present (the declaration's defaults filled in), paths
 * absolute, `features` de-duplicated and ascending, `plugins` absolute paths for local modules.
 */
export type ResolvedConfig = Omit<z.output<typeof configDeclaration>, '$schema'>

/** Where a resolved value came from. */
export type ConfigLayer = 'default' | 'file' | 'env' | 'flags'
