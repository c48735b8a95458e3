import { Flags } from '@oclif/core'
import { BaseCommand } from '../../base-command.js'
import { withMaintenanceBackend } from '../../backend-command.js'
import { openCommandHost } from '../../context.js'
import { configFlag } from '../../flags.js'

export default class SandboxesPrune extends BaseCommand {
  static override summary = 'Remove leftover sandboxes (of one run with --run), found by their labels.'
  static override description =
    'Removes sandboxes whose creating process is gone; a run still in progress keeps its sandboxes. Runs clean up after themselves, also on Ctrl+C; this is for crashes and killed processes.'
  static override examples = ['<%= config.bin %> sandboxes prune --backend docker', '<%= config.bin %> sandboxes prune --run my-run']
  static override enableJsonFlag = true
  static override flags = {
    ...configFlag,
    backend: Flags.string({ description: 'Backend to clean. [default: the configured backend]' }),
    run: Flags.string({ description: 'Only sandboxes of this run name.' }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(SandboxesPrune)
    const { config, services } = await openCommandHost(this.config, { backend: flags.backend }, flags.config, this.verbose)
    return withMaintenanceBackend(services, config, config.backend, 'reap', 'leftover cleanup', async (backend) => {
      const removed = await backend.reap({ runName: flags.run })
      if (!this.jsonEnabled()) this.log(`removed ${removed} sandbox(es)${flags.run ? ` of run ${flags.run}` : ''}`)
      return { removed }
    })
  }
}
