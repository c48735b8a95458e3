import { packageVersion } from '@cooperbench/spec-utils'

/**
 * This core's version: what plugins' `coreRange` is checked against and records name as the harness version. Its own
 * module so the registry, the plugin loader and the planner read it without importing each other.
 */
export const CORE_VERSION: string = packageVersion(import.meta.url)
