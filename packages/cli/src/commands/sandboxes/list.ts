import { Flags } from '@oclif/core'
import { SANDBOX_LABELS } from '@cooperbench/core'
import { BaseCommand } from '../../base-command.js'
import { withMaintenanceBackend } from '../../backend-command.js'
import { openCommandHost } from '../../context.js'
import { configFlag } from '../../flags.js'
import { table } from '@cooperbench/report'

export default class SandboxesList extends BaseCommand {
  static override summary = 'List sandboxes made by cooperbench (leftovers of crashed runs included).'
  static override examples = ['<%= config.bin %> sandboxes list --backend docker', '<%= config.bin %> sandboxes list --run my-run --json']
  static override enableJsonFlag = true
  static override flags = {
    ...configFlag,
    backend: Flags.string({ description: 'Backend to look in. [default: the configured backend]' }),
    run: Flags.string({ description: 'Only sandboxes of this run name.' }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(SandboxesList)
    const { config, services } = await openCommandHost(this.config, { backend: flags.backend }, flags.config, this.verbose)
    return withMaintenanceBackend(services, config, config.backend, 'listSandboxes', 'sandbox listing', async (backend) => {
      const sandboxes = await backend.listSandboxes({ runName: flags.run })
      if (!this.jsonEnabled()) {
        if (sandboxes.length === 0) this.log('no sandboxes')
        else
          this.log(
            table(
              ['id', 'run', 'role', 'pair', 'state', 'owner alive', 'created'],
              sandboxes.map((s) => [
                s.id.slice(0, 12),
                s.labels[SANDBOX_LABELS.run] ?? '',
                s.labels[SANDBOX_LABELS.role] ?? '',
                s.labels[SANDBOX_LABELS.pair] ?? '',
                s.state,
                s.ownerAlive === null ? '?' : s.ownerAlive ? 'yes' : 'no',
                s.createdAt ?? '',
              ]),
            ),
          )
      }
      return sandboxes
    })
  }
}
