import { packageVersion } from '@cooperbench/spec-utils'

/** Checked against plugins' `coreRange`, recorded as the harness version; its own module so readers need not import each other. */
export const CORE_VERSION: string = packageVersion(import.meta.url)
