import { Flags } from '@oclif/core'
import { CooperbenchError, ExitCode, type ImageLayer, type PluginRegistry } from '@cooperbench/core'
import { uniqueTasks } from '@cooperbench/core/runner'
import { BaseCommand } from '../../base-command.js'
import { withMaintenanceBackend } from '../../backend-command.js'
import { selectFromConfig } from '@cooperbench/dataset'
import { filterFlagsToOptions, openCommandHost } from '../../context.js'
import { configFlag, datasetDirFlag, filterFlags, imageFlags } from '../../flags.js'
import { withInterruption } from '../../interrupt.js'
import { table } from '@cooperbench/report'

export default class ImagesBuild extends BaseCommand {
  static override summary = 'Build (or pull) the images of the selected tasks ahead of a run.'
  static override description =
    "For each selected task, uses its image if present, pulls it when a registry answers, otherwise builds it from the task's Dockerfile (reusing the layer cache), several at once. Demo tasks build FROM the offline base image: run `pnpm images:base` first."
  static override examples = [
    '<%= config.bin %> images build -s demo',
    '<%= config.bin %> images build -r pallets_jinja_task -c 2 --force',
    '<%= config.bin %> images build -s lite --agent openhands',
  ]
  static override enableJsonFlag = true
  static override flags = {
    ...datasetDirFlag,
    ...filterFlags,
    ...configFlag,
    ...imageFlags,
    backend: Flags.string({ description: 'Backend whose images to build. [default: docker]', default: 'docker' }),
    concurrency: Flags.integer({ char: 'c', description: 'Images prepared at once. [default: 4]', min: 1, default: 4 }),
    force: Flags.boolean({ description: 'Rebuild images that already exist.', default: false }),
    agent: Flags.string({
      description: 'Also build the images this agent runs in, layered on the task images (e.g. `openhands` adds its agent server: `<image>-oh`).',
    }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(ImagesBuild)
    const image = { namespace: flags['image-namespace'], template: flags['image-template'] }
    const { config, services } = await openCommandHost(this.config, { ...filterFlagsToOptions(flags), image }, flags.config, this.verbose)
    const { pairs } = await selectFromConfig(config, (message) => services.logger.warn(message))
    const tasks = uniqueTasks(pairs.map((p) => p.task))
    const layer = flags.agent === undefined ? undefined : agentImageLayer(services.registry, flags.agent, config.agents)
    const results = await withMaintenanceBackend(services, config, flags.backend, 'prepareTasks', 'task images', (backend) =>
      withInterruption((signal) =>
        backend.prepareTasks(tasks, {
          ...(layer ? { layer } : {}),
          concurrency: flags.concurrency,
          force: flags.force,
          signal,
          onProgress: this.jsonEnabled()
            ? undefined
            : (event) => {
                // Slow builds and pulls are reported as they end; present images and failures only in the final table, never twice.
                const done = event.phase === 'done' ? event.preparation : undefined
                if (done && done.action !== 'present' && done.action !== 'failed') {
                  this.logToStderr(`${done.action.padEnd(7)} ${done.image} (${(done.durationMs / 1000).toFixed(1)} s)`)
                }
              },
        }),
      ),
    )
    if (!this.jsonEnabled()) {
      this.log(
        table(
          ['task', 'image', 'action', 'seconds'],
          results.map((r) => [`${r.repo}/${r.taskId}`, r.image, r.action, (r.durationMs / 1000).toFixed(1)]),
          ['left', 'left', 'left', 'right'],
        ),
      )
    }
    const failed = results.filter((r) => r.action === 'failed')
    if (failed.length > 0) {
      for (const f of failed) this.logToStderr(`error: ${f.repo}/${f.taskId}: ${f.error}`)
      this.exitWith(ExitCode.backend, results)
    }
    return results
  }
}

/** The image layer an agent asks for, with its configured options; a usage error when it needs none. */
function agentImageLayer(registry: PluginRegistry, name: string, agents: Record<string, Record<string, unknown>>): ImageLayer {
  const entry = registry.get('agent', name)
  if (!entry.imageLayer) {
    throw new CooperbenchError('USAGE', `agent ${entry.name} runs in the task images as they are: there is no image of its own to build`, {
      hint: 'Drop --agent, or name an agent that brings a server (`cooperbench agents list`).',
    })
  }
  return entry.imageLayer(registry.validateOptions('agent', entry.name, { ...(agents[entry.name] ?? {}), ...(agents[name] ?? {}) }))
}
