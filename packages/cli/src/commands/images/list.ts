import { Flags } from '@oclif/core'
import { uniqueTasks } from '@cooperbench/core/runner'
import { BaseCommand } from '../../base-command.js'
import { withMaintenanceBackend } from '../../backend-command.js'
import { selectFromConfig } from '@cooperbench/dataset'
import { filterFlagsToOptions, openCommandHost } from '../../context.js'
import { configFlag, datasetDirFlag, filterFlags } from '../../flags.js'
import { table } from '@cooperbench/report'

export default class ImagesList extends BaseCommand {
  static override summary = "Show whether each selected task's image exists."
  static override examples = ['<%= config.bin %> images list -s demo', '<%= config.bin %> images list --json']
  static override enableJsonFlag = true
  static override flags = {
    ...datasetDirFlag,
    ...filterFlags,
    ...configFlag,
    backend: Flags.string({ description: 'Backend whose images to list. [default: docker]', default: 'docker' }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(ImagesList)
    const { config, services } = await openCommandHost(this.config, filterFlagsToOptions(flags), flags.config, this.verbose)
    const { pairs } = await selectFromConfig(config, (message) => services.logger.warn(message))
    const tasks = uniqueTasks(pairs.map((p) => p.task))
    return withMaintenanceBackend(services, config, flags.backend, 'listImages', 'task images', async (backend) => {
      const images = await backend.listImages(tasks)
      if (!this.jsonEnabled()) {
        this.log(
          table(
            ['task', 'image', 'present', 'size'],
            images.map((i) => [`${i.repo}/${i.taskId}`, i.image, i.present ? 'yes' : 'no', i.sizeBytes === null ? '' : `${(i.sizeBytes / 1e6).toFixed(0)} MB`]),
            ['left', 'left', 'left', 'right'],
          ),
        )
        const missing = images.filter((i) => !i.present).length
        if (missing > 0) this.log(`${missing} image(s) missing: \`${this.config.bin} images build\` builds them (a run would too).`)
      }
      return images
    })
  }
}
