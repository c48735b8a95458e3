import type { CooperbenchConfig } from './types.js'

/** Typed identity for `cooperbench.config.ts` (`export default defineConfig({ ... })`): editor completion and type errors; a function (sync or async) too. */
export function defineConfig<T extends CooperbenchConfig | (() => CooperbenchConfig | Promise<CooperbenchConfig>)>(config: T): T {
  return config
}
