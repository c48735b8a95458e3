import { Flags } from '@oclif/core'
import { ExitCode } from '@cooperbench/core'
import { dirname } from 'node:path'
import { BaseCommand } from '../base-command.js'
import { type LayeredConfig, resolveLayeredConfig } from '@cooperbench/config'
import { createLogger } from '../context.js'
import { formatCheck, summaryLine } from '../doctor/checks.js'
import { runDoctorChecks } from '../doctor/run-checks.js'
import { configFlag, datasetDirFlag } from '../flags.js'
import { openHost } from '../api/host.js'

export default class Doctor extends BaseCommand {
  static override summary = 'Check that this machine can run cooperbench: Node, git, plugins, backends, the bus, the dataset and the agent.'
  static override description =
    "One line per check: `ok`, `FAIL` with the fix, `warn` with the fix, or `skip`. Checks the Node.js version, git, the config file, every plugin's compatibility with this core, each backend's preflight (bubblewrap for local, the engine for docker, credentials for cloud backends), the configured bus (Redis reachability with --redis), the dataset folder, and the configured agent's preflight for the configured model (credentials; no model request is made). Each check gives up after --timeout seconds, which is a warning (a busy machine answers late), not a failure. A problem of the default agent and model, when neither was chosen, is a warning too: it does not stop an oracle run. Exits 0 when no check fails, 1 otherwise."
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --backend local',
    '<%= config.bin %> doctor --redis redis://localhost:6379 -a mini_swe_agent -m openai/gpt-4o',
    '<%= config.bin %> doctor --json',
  ]
  static override enableJsonFlag = true
  static override flags = {
    backend: Flags.string({ description: 'Backend to check (repeatable). [default: every installed backend]', multiple: true }),
    redis: Flags.string({ description: 'Redis URL to check; selects the redis bus, as in `run`.' }),
    agent: Flags.string({ char: 'a', description: 'Agent whose preflight to run. [default: the configured agent]' }),
    model: Flags.string({ char: 'm', description: 'Model whose credentials the agent checks. [default: the configured model]' }),
    'agent-config': Flags.string({ description: 'YAML/JSON file of agent options, as in `run`.', helpValue: 'FILE' }),
    timeout: Flags.integer({ description: 'Seconds each check may take.', default: 30, min: 1 }),
    ...datasetDirFlag,
    ...configFlag,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Doctor)
    const logger = createLogger(this.verbose)
    let config: LayeredConfig | { error: unknown }
    try {
      config = await resolveLayeredConfig(
        { redisUrl: flags.redis, agent: flags.agent, modelName: flags.model, agentConfig: flags['agent-config'], datasetDir: flags['dataset-dir'] },
        flags.config,
      )
    } catch (error) {
      config = { error }
    }
    const { registry } = await openHost(
      { plugins: 'config' in config ? config.config.plugins : [] },
      { logger, reportFailures: false, baseDir: 'config' in config && config.file ? dirname(config.file) : process.cwd(), oclifConfig: this.config },
    )
    const results = await runDoctorChecks({
      oclif: this.config,
      config,
      registry,
      backends: flags.backend ?? [],
      timeoutMs: flags.timeout * 1000,
      logger,
    })
    if (!this.jsonEnabled()) {
      for (const result of results) this.log(formatCheck(result))
      this.log(summaryLine(results))
    }
    if (results.some((r) => r.status === 'fail')) this.exitWith(ExitCode.failure, results)
    return results
  }
}
