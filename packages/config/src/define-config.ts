import type { CooperbenchConfig } from './types.js'

/**
 * Typed identity helper for `cooperbench.config.ts`: `export default defineConfig({ ... })`
 * gives completion and type errors in the editor. A function (sync or async) is accepted too.
 */
export function defineConfig<T extends CooperbenchConfig | (() => CooperbenchConfig | Promise<CooperbenchConfig>)>(config: T): T {
  return config
}
