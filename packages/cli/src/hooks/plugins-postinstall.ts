import type { Config } from '@oclif/core'
import { openHost } from '../api/host.js'
import { createLogger } from '../context.js'
import { describeFailure } from '../plugins.js'

/**
 * After `cooperbench plugins install`: registers every installed plugin once and says at once
 * when one will be skipped (it throws while registering, or was built for another core or
 * contract version), rather than leaving it to the next run's warning.
 */
export default async function pluginsPostinstall(this: { config: Config }): Promise<void> {
  const { registry } = await openHost({ plugins: [] }, { logger: createLogger(false), reportFailures: false, baseDir: process.cwd(), oclifConfig: this.config })
  for (const failure of registry.failures) {
    const { label, reason } = describeFailure(failure)
    // One line each, like the run's warnings (oclif's warn would wrap them).
    process.stderr.write(`warning: plugin ${label} is installed but will be skipped: ${reason}\n`)
  }
}
