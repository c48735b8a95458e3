import { packageVersion } from '@cooperbench/spec-utils'

/**
 * The version of this core package: what plugins' `coreRange` is checked against and what run
 * records name as the harness version. Its own module so that the registry, the plugin loader and
 * the planner read it without importing each other.
 */
export const CORE_VERSION: string = packageVersion(import.meta.url)
