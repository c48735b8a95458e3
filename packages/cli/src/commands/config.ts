import { Args, Flags } from '@oclif/core'
import { CooperbenchError } from '@cooperbench/core'
import { imageName } from '@cooperbench/spec-utils/images'
import { BaseCommand } from '../base-command.js'
import { writeBackendSettings } from '../config-file-writer.js'
import { backendOptionsFor } from '@cooperbench/core/runner'
import { selectFromConfig } from '@cooperbench/dataset'
import { filterFlagsToOptions, openCommandHost } from '../context.js'
import { configFlag, datasetDirFlag } from '../flags.js'

export default class Config extends BaseCommand {
  static override summary = 'Set up a backend: check what it needs (credentials), try it for real, and write its settings into the config file.'
  static override description =
    "For backends that offer a setup (modal; third-party ones may): checks credentials the way the provider's own tools find them, then, unless --skip-tests, creates one sandbox of a task image from the configured dataset, runs a command in it and terminates it, printing each latency. Writes the backend's settings under backends.<name> of the config file in use (or a new cooperbench.config.json here); --default also makes it the configured backend."
  static override examples = [
    '<%= config.bin %> config modal',
    '<%= config.bin %> config modal --skip-tests',
    '<%= config.bin %> config modal -r llama_index_task -t 17244 --default',
  ]
  static override enableJsonFlag = true
  static override args = {
    backend: Args.string({ description: 'Backend to set up (`cooperbench backends list`).', required: true }),
  }
  static override flags = {
    'skip-tests': Flags.boolean({ description: 'Check credentials only: create no sandbox.', default: false }),
    default: Flags.boolean({ description: 'Also make it the configured backend (`backend` in the config file).', default: false }),
    set: Flags.string({ description: 'A backend option to write, KEY=VALUE (JSON values allowed); repeatable.', multiple: true, helpValue: 'KEY=VALUE' }),
    project: Flags.string({ description: 'Cloud project (the same as --set project=…).' }),
    zone: Flags.string({ description: 'Cloud zone (the same as --set zone=…).' }),
    repo: Flags.string({ char: 'r', description: 'Repository of the task whose image the live test uses. [default: the first task]' }),
    task: Flags.integer({ char: 't', description: 'Task id whose image the live test uses.', min: 0 }),
    ...datasetDirFlag,
    ...configFlag,
  }

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Config)
    const { config, file, services } = await openCommandHost(this.config, filterFlagsToOptions(flags), flags.config, this.verbose)
    const entry = services.registry.find('backend', args.backend)
    if (!entry) {
      const names = services.registry.list('backend').map((e) => e.name)
      throw new CooperbenchError('CONFIG_INVALID', `no backend named "${args.backend}" is installed`, { hint: `Installed: ${names.join(', ')}.` })
    }
    if (!entry.setup) {
      throw new CooperbenchError('CONFIG_INVALID', `backend "${entry.name}" has nothing to set up`, {
        hint: `Set its options under backends.${entry.name} of the config file; \`cooperbench doctor --backend ${entry.name}\` checks it.`,
      })
    }
    const given: Record<string, unknown> = {}
    for (const pair of flags.set ?? []) {
      const at = pair.indexOf('=')
      if (at <= 0) throw new CooperbenchError('USAGE', `--set ${pair}: expected KEY=VALUE`, { hint: 'For example --set zone=europe-west4-a.' })
      given[pair.slice(0, at)] = parseValue(pair.slice(at + 1))
    }
    if (flags.project) given.project = flags.project
    if (flags.zone) given.zone = flags.zone
    const options = services.registry.validateOptions('backend', entry.name, { ...backendOptionsFor(config, entry.name), ...given })
    const task = async () => {
      const { pairs } = await selectFromConfig(config, (message) => services.logger.warn(message))
      const first = pairs[0]?.task
      if (!first) {
        throw new CooperbenchError('CONFIG_INVALID', `no task in ${config.datasetDir} matches the selection to try the backend with`, {
          hint: 'Pick one with -r/-t, point --dataset-dir at a dataset, or pass --skip-tests.',
        })
      }
      return { task: first, image: imageName(config.image.template, config.image.namespace, first.repo, first.taskId) }
    }
    const controller = new AbortController()
    const onSignal = () => controller.abort(new CooperbenchError('INTERRUPTED', 'interrupted'))
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    try {
      const result = await entry.setup({
        options,
        liveTest: !flags['skip-tests'],
        task,
        logger: services.logger,
        report: (line) => services.logger.info(line),
        signal: controller.signal,
      })
      const written = await writeBackendSettings(file, process.cwd(), {
        backend: entry.name,
        options: { ...given, ...result.options },
        makeDefault: flags.default,
      })
      if (!this.jsonEnabled()) {
        for (const finding of result.findings) this.log(`ok   ${finding}`)
        for (const warning of result.warnings ?? []) this.log(`warn ${warning}`)
        this.log(`wrote backends.${entry.name}${flags.default ? ` and backend: ${entry.name}` : ''} to ${written}`)
        if (!flags.default) this.log(`use it with --backend ${entry.name}, or run again with --default`)
      }
      return { backend: entry.name, file: written, options: result.options, findings: result.findings, warnings: result.warnings ?? [] }
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      await services.scope.dispose()
    }
  }
}

/** A `--set` value: JSON when it parses (numbers, booleans, null, objects), else the text. */
function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}
