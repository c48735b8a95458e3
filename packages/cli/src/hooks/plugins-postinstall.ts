import type { Config } from '@oclif/core'
import { openHost } from '../api/host.js'
import { createLogger } from '../context.js'
import { foreignHostPackages } from '../host-packages.js'
import { describeFailure } from '../plugins.js'

/**
 * After `plugins install`: registers every plugin once to say now, not next run, which will be skipped (throws, other core or contract),
 * and whether npm left the CLI's `@cooperbench/*` unlinked in the data dir (e.g. `omit=peer`: plugins then load another copy, or none).
 */
export default async function pluginsPostinstall(this: { config: Config }): Promise<void> {
  const unshared = [...foreignHostPackages(this.config.dataDir).keys()]
  if (unshared.length > 0) {
    process.stderr.write(
      `warning: ${unshared.join(', ')} in ${this.config.dataDir}/node_modules ${unshared.length === 1 ? 'is' : 'are'} not the CLI's own copy; ` +
        'plugins may not load. Check the npm settings (omit=peer, legacy-peer-deps) and install again.\n',
    )
  }
  const { registry } = await openHost({ plugins: [] }, { logger: createLogger(false), reportFailures: false, baseDir: process.cwd(), oclifConfig: this.config })
  for (const failure of registry.failures) {
    const { label, reason } = describeFailure(failure)
    // One line each, like the run's warnings (oclif's warn would wrap them).
    process.stderr.write(`warning: plugin ${label} is installed but will be skipped: ${reason}\n`)
  }
}
