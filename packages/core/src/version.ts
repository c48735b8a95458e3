import { packageVersion } from '@cooperbench/spec'

/**
 * The version of this core package: what plugins' `coreRange` is checked against and what run
 * records name as the harness version. Its own module so that the plugin registry can read it
 * without importing the builtins (which import the registry's types).
 */
export const CORE_VERSION: string = packageVersion(import.meta.url)
