import semver from 'semver'
import type { Config } from '@oclif/core'
import { CooperbenchError, type Logger, PLUGIN_KINDS, type PluginRegistry } from '@cooperbench/core'
import { readAgentConfig, redactUrlCredentials, type ResolvedConfig, type LayeredConfig } from '@cooperbench/config'
import { loadDataset } from '@cooperbench/dataset'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { agentLimitsFor, agentOptionsFor, backendOptionsFor, busOptionsFor, refuseUnknownSections } from '@cooperbench/core/runner'
import { withBusUrlSource } from '../api/bus-url-source.js'
import { type CheckResult, failureOf, formatSeconds, runCheck } from './checks.js'
import { counted } from '../ui/counted.js'

const execFileAsync = promisify(execFile)

export interface DoctorInput {
  oclif: Config
  /** The resolved config, or the error that prevented resolving it. */
  config: LayeredConfig | { error: unknown }
  registry: PluginRegistry
  /** Backends to check (`--backend`); empty = every registered backend. */
  backends: string[]
  timeoutMs: number
  logger: Logger
}

/** A config that resolved: ok, unless a section of plugin options names no installed plugin (as `run` refuses it). */
function configCheck(resolved: LayeredConfig, registry: PluginRegistry): CheckResult {
  try {
    refuseUnknownSections(registry, resolved)
  } catch (error) {
    return failureOf('config', error)
  }
  return { check: 'config', status: 'ok', detail: resolved.file || 'no config file; defaults, environment and flags' }
}

/** Every check of `cooperbench doctor`, in display order. Checks that reach out run concurrently. */
export async function runDoctorChecks(input: DoctorInput): Promise<CheckResult[]> {
  const { registry, timeoutMs, logger } = input
  const resolved = 'config' in input.config ? input.config : null
  const config = resolved?.config ?? null
  const results: Array<CheckResult | Promise<CheckResult>> = [
    nodeCheck(input.oclif),
    gitCheck(timeoutMs),
    resolved
      ? configCheck(resolved, registry)
      : failureOf('config', (input.config as { error: unknown }).error, 'Fix the config file (or the COOPERBENCH_* variables, or the flags).'),
    ...pluginChecks(registry),
  ]

  const registered = registry.list('backend').map((entry) => entry.name)
  const selected = input.backends.length > 0 ? input.backends : registered
  for (const name of selected) {
    const configured = config?.backend === name || (config !== null && registry.find('backend', config.backend)?.name === name)
    // A backend nobody asked for that is not ready here (a cloud one without credentials) is skipped, not a failure of the machine.
    const optional = !configured && input.backends.length === 0
    const check = runCheck(
      `backend ${name}`,
      timeoutMs,
      async () => {
        const options = config ? backendOptionsFor(config, name) : {}
        const backend = await registry.create('backend', name, { options, logger, ...(config ? { images: config.image } : {}) })
        try {
          await backend.preflight()
          const isolation = ISOLATION_PHRASES.get(backend.capabilities.isolation) ?? `isolation: ${backend.capabilities.isolation}`
          return `ready, ${isolation}${configured ? '; the configured backend' : ''}`
        } finally {
          await backend.close?.().catch(() => {})
        }
      },
      `Check what backend ${name} needs (its engine, daemon or credentials) is up, or leave it out with --backend.`,
    )
    const notReady = (failed: CheckResult): CheckResult => ({
      check: failed.check,
      status: 'skip',
      detail: `not ready (not the configured backend): ${failed.detail}${failed.fix ? ` — ${failed.fix}` : ''}`,
    })
    results.push(optional ? failureAs(check, notReady) : check)
  }
  for (const name of registered) {
    if (!selected.includes(name) && !selected.some((s) => registry.find('backend', s)?.name === name)) {
      results.push({ check: `backend ${name}`, status: 'skip', detail: 'not selected by --backend' })
    }
  }

  if (config)
    results.push(busCheck(resolved!, registry, timeoutMs, logger), datasetCheck(config, timeoutMs), agentCheck(resolved!, registry, timeoutMs, logger))
  else for (const check of ['bus', 'dataset', 'agent']) results.push({ check, status: 'skip', detail: 'the configuration is invalid (see the config check)' })
  return Promise.all(results)
}

function nodeCheck(oclif: Config): CheckResult {
  const required = (oclif.pjson.engines as Record<string, string> | undefined)?.['node'] ?? '>=22.12'
  const version = process.versions.node
  if (semver.satisfies(version, required)) return { check: 'node', status: 'ok', detail: `v${version} (${required} needed)` }
  return {
    check: 'node',
    status: 'fail',
    detail: `v${version}, but cooperbench needs Node.js ${required}`,
    fix: `Install Node.js ${required.replace(/^>=\s*/, '')} or later (e.g. \`nvm install 22\`) and run cooperbench with it.`,
  }
}

function gitCheck(timeoutMs: number): Promise<CheckResult> {
  return runCheck(
    'git',
    timeoutMs,
    () =>
      execFileAsync('git', ['--version'], { timeout: timeoutMs }).then(
        ({ stdout }) => stdout.trim(),
        (error: NodeJS.ErrnoException) => {
          const problem = error.code === 'ENOENT' ? 'git is not installed (not on PATH)' : `git --version failed: ${error.message}`
          throw new CooperbenchError('INFRA_FAILED', problem, { hint: "Install git (e.g. `apt-get install git`); runs use it to diff and merge agents' work." })
        },
      ),
    'Check that `git --version` works.',
  )
}

function pluginChecks(registry: PluginRegistry): CheckResult[] {
  // Hooks run concurrently, so load order varies: core first, then by name.
  const plugins = [...registry.plugins].sort(
    (a, b) => Number(b.name === '@cooperbench/core') - Number(a.name === '@cooperbench/core') || a.name.localeCompare(b.name),
  )
  const loaded = plugins.map((plugin): CheckResult => {
    const provides = PLUGIN_KINDS.map((kind) => {
      const names = registry
        .list(kind)
        .filter((entry) => entry.plugin.name === plugin.name)
        .map((entry) => `${entry.name} (${entry.specificationVersion})`)
      return names.length ? `${kind} ${names.join(', ')}` : null
    }).filter((text) => text !== null)
    const range = plugin.coreRange === undefined ? 'any' : plugin.coreRange
    return {
      check: `plugin ${plugin.name}`,
      status: 'ok',
      detail: `${plugin.version}, core range ${range} (this core: ${registry.coreVersion})${provides.length ? `: ${provides.join('; ')}` : ''}`,
    }
  })
  const failed = registry.failures.map(
    (failure): CheckResult => ({
      check: `plugin ${failure.plugin}`,
      status: 'fail',
      detail: `${failure.code === 'PLUGIN_INCOMPATIBLE' ? 'incompatible' : 'failed to load'}: ${failure.message}`,
      fix: failure.hint ?? `Fix or remove the plugin (\`cooperbench plugins uninstall ${failure.plugin}\`, or its entry in \`plugins\` of the config file).`,
    }),
  )
  return [...loaded, ...failed]
}

function busCheck(resolved: LayeredConfig, registry: PluginRegistry, timeoutMs: number, logger: Logger): Promise<CheckResult> {
  const { config } = resolved
  const name = config.bus
  const url = config.redisUrl ? redactUrlCredentials(config.redisUrl) : null
  return runCheck(
    `bus ${name}`,
    timeoutMs,
    async () => {
      const entry = registry.get('bus', name)
      const bus = await registry.create('bus', name, { options: busOptionsFor(registry, config), logger }).catch((error: unknown) => {
        throw withBusUrlSource(error, entry.name, resolved)
      })
      try {
        if (typeof bus.preflight !== 'function') return { skip: `nothing to reach${entry.description ? ` (${entry.description})` : ''}` }
        await bus.preflight()
        return `reachable${url && entry.name === 'redis' ? ` at ${url}` : ''}`
      } finally {
        await bus.close().catch(() => {})
      }
    },
    url ? `Check that the server at ${url} is up and reachable from here.` : `Check what bus ${name} connects to.`,
  )
}

function datasetCheck(config: ResolvedConfig, timeoutMs: number): Promise<CheckResult> {
  return runCheck(
    'dataset',
    timeoutMs,
    async () => {
      const dataset = await loadDataset(config.datasetDir)
      const runnable = dataset.tasks.filter((task) => task.features.length >= 2)
      if (runnable.length === 0) {
        throw new CooperbenchError('DATASET_INVALID', `${dataset.dir} has no task with two or more features`, {
          hint: 'Point --dataset-dir (or datasetDir in the config file) at a CooperBench dataset root.',
        })
      }
      const repos = new Set(runnable.map((task) => task.repo)).size
      return `${dataset.dir}: ${counted(runnable.length, 'task')} in ${counted(repos, 'repo')}`
    },
    `Reading ${config.datasetDir} took longer than ${formatSeconds(timeoutMs)}; check the disk or network share it is on.`,
  )
}

function agentCheck(resolved: LayeredConfig, registry: PluginRegistry, timeoutMs: number, logger: Logger): Promise<CheckResult> {
  const { config, layers } = resolved
  const check = runCheck(
    `agent ${config.agent}`,
    timeoutMs,
    async () => {
      const entry = registry.get('agent', config.agent)
      const options = registry.validateOptions('agent', config.agent, agentOptionsFor(registry, config, await readAgentConfig(config.agentConfig)))
      const agent = await registry.create('agent', config.agent, { options, logger })
      if (typeof agent.preflight !== 'function') return `options valid; ${entry.name} has no preflight, so model ${config.modelName} was not checked`
      await agent.preflight({
        model: config.modelName,
        modelBaseUrl: config.modelBaseUrl,
        options,
        limits: agentLimitsFor(config, layers),
      })
      return `options valid; model ${config.modelName}: credentials found`
    },
    'Check the model provider is reachable; the agent preflight makes no model request.',
  )
  // Agent and model still default (a fresh checkout's oracle quickstart): what the default model lacks is a later LLM run's problem.
  if (layers.agent !== 'default' || layers.modelName !== 'default') return check
  return failureAs(check, (failed) => ({
    ...failed,
    status: 'warn',
    detail: `${failed.detail} (needed for LLM runs of the default agent and model; not for -a oracle)`,
  }))
}

function failureAs(check: Promise<CheckResult>, instead: (failed: CheckResult) => CheckResult): Promise<CheckResult> {
  return check.then((result) => (result.status === 'fail' ? instead(result) : result))
}

/** How a backend isolates its sandboxes, in words: `none` is said plainly, never as "none isolation". */
const ISOLATION_PHRASES = new Map([
  ['none', 'no isolation: commands run directly on this machine, as you'],
  ['process', 'process isolation (a sandbox of processes on this machine)'],
  ['container', 'container isolation'],
  ['vm', 'isolated in virtual machines'],
])
