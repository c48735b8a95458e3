import type { Config } from '@oclif/core'
import { CooperbenchError } from '@cooperbench/core'
import { type ResolvedConfig, type LayeredConfig, resolveLayeredConfig } from '@cooperbench/config'
import { loadDataset, loadSubset, settlePairSize, subsetHoldsPair } from '@cooperbench/dataset'
import { type PairFolder, readJsonIfPresent, readRunPolicy, RunFiles, recordedPolicy, runDir, scanRun } from '@cooperbench/results'
import { isEvaluationPolicy } from '@cooperbench/spec'
import { backendOptionsFor, evaluateRun, evaluatorOptionsFor, judgedByMergeOf, refuseUnknownSections } from '@cooperbench/core/runner'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { pairRef, safeEmitter } from './events.js'
import { eventLogger, type Host, openHost } from './host.js'
import { type EvaluateOptions, evaluateOptionsToConfig } from './options.js'
import { type EvaluateResult, evaluateResultOf } from './outcome.js'

/** `cooperbench eval` as a library: merges each finished pair's patches, runs every feature's hidden tests, writes eval(_summary).json; retries Errors. */
export async function evaluate(
  options: EvaluateOptions,
  /**
   * `commandLine`: set by the CLI, whose flags the options are (errors name them as flags, not as options of evaluate()).
   * `host`: the plugins as the caller loaded them (`verify` evaluates run after run with one load).
   */
  internals: { oclifConfig?: Config; commandLine?: boolean; host?: Host } = {},
): Promise<EvaluateResult> {
  if (!options?.runName) {
    throw new CooperbenchError('USAGE', 'evaluate() needs the run name (runName)', { hint: 'e.g. evaluate({ runName: "coop-msa-gemini-3-flash-demo" })' })
  }
  const cwd = resolve(options.cwd ?? process.cwd())
  const emit = safeEmitter(options.onEvent)
  const logger = options.logger ?? eventLogger(options.onEvent ? emit : undefined)
  const optionsSource = internals.commandLine ? undefined : 'the options given to evaluate()'
  const settled = await settlePairSize(await resolveLayeredConfig(evaluateOptionsToConfig(options), options.config, cwd, optionsSource, options.signal))
  const { file } = settled
  const config = await withRunPairSize(settled, options.runName)
  const host =
    internals.host ?? (await openHost(config, { plugins: options.plugins, logger, baseDir: file ? dirname(file) : cwd, oclifConfig: internals.oclifConfig }))
  refuseUnknownSections(host.registry, { ...settled, config })
  const dataset = await loadDataset(config.datasetDir)
  const subset = config.subset ? await loadSubset(config.datasetDir, config.subset) : undefined
  const select = (pair: PairFolder) =>
    pair.features.length === config.pairSize &&
    (config.repo === null || pair.repo === config.repo) &&
    (config.taskId === null || pair.taskId === config.taskId) &&
    (config.features === null || pair.features.join(',') === config.features.join(',')) &&
    (!subset || subsetHoldsPair(subset, pair.repo, pair.taskId, pair.features))
  const ref = (pair: PairFolder) => pairRef(pair.setting, pair.repo, pair.taskId, pair.features)
  const folder = runDir(config.logDir, options.runName)
  const filtered = config.repo !== null || config.taskId !== null || config.features !== null || subset !== undefined
  // A run killed before its first pair finished has its config.json and nothing else to judge.
  if ((await scanRun(folder)).length === 0 && existsSync(join(folder, RunFiles.config))) {
    const unfinished = await countUnfinished(folder, select, filtered)
    const message = `no pair of ${options.runName} was judged: ${unfinished} unfinished pair(s) (no result.json; the run was stopped)`
    throw new CooperbenchError('NOTHING_JUDGED', message, {
      hint: "Resume the run with `cooperbench run` and the run's options (finished pairs are kept), then evaluate.",
    })
  }
  const outcome = await evaluateRun({
    plan: {
      runName: options.runName,
      logDir: config.logDir,
      backend: config.backend,
      backendOptions: backendOptionsFor(config),
      evaluator: config.evaluator,
      evaluatorOptions: evaluatorOptionsFor(host.registry, config),
      testTimeoutMs: config.testTimeoutSeconds * 1000,
      imageTemplate: config.image.template,
      imageNamespace: config.image.namespace,
      concurrency: config.evalConcurrency,
      force: options.force ?? false,
      // The policy asked for; else the run's own (its verdicts are completed, not replaced); else the configured one.
      policy:
        options.policy ??
        (await readRunPolicy(folder, await judgedByMergeOf(host.registry))) ??
        recordedEvaluationPolicy(await scanRun(folder)) ??
        config.policy,
    },
    tasks: dataset.tasks,
    select,
    registry: host.registry,
    scope: host.scope,
    logger,
    signal: options.signal ?? new AbortController().signal,
    events: {
      planned: ({ total, reused, toEvaluate }) => emit({ type: 'planned', runName: options.runName, total, toRun: 0, reused, toEvaluate }),
      evalFinished: (pair, verdict, record) => emit({ type: 'evalFinished', pair: ref(pair), verdict, record }),
      batchProgress: (counts) => emit({ type: 'batchProgress', counts }),
    },
  })
  return evaluateResultOf(outcome.summary, folder, outcome.interrupted, await countUnfinished(folder, select, filtered))
}

/** Selected pairs without result.json; unfiltered, counted from config.json's `total_tasks` (a killed run leaves most pairs without a folder). */
async function countUnfinished(folder: string, select: (pair: PairFolder) => boolean, filtered: boolean) {
  const onDisk = (await scanRun(folder)).filter(select)
  const started = onDisk.filter((p) => p.result === null).length
  if (filtered) return started
  const stored = await readJsonIfPresent<{ setting?: unknown; total_tasks?: unknown }>(join(folder, RunFiles.config))
  if (typeof stored?.total_tasks !== 'number') return started
  const finished = onDisk.filter((p) => p.setting === stored.setting && p.result !== null).length
  return Math.max(started, stored.total_tasks - finished)
}

/** The policy of the verdicts a run folder without config.json holds, when this version knows it. */
function recordedEvaluationPolicy(pairs: PairFolder[]) {
  const policy = recordedPolicy(pairs)
  return isEvaluationPolicy(policy) ? policy : undefined
}

/** The pair size to judge: as `--agents`, `-f` or the subset settle, else the run's (config.json), so `eval -n RUN` judges a run's triples. */
async function withRunPairSize(settled: LayeredConfig, runName: string): Promise<ResolvedConfig> {
  const { config, layers } = settled
  if (layers.pairSize !== 'default' || config.subset || config.features !== null) return config
  const stored = await readJsonIfPresent<{ fingerprint?: { pair_size?: unknown; team_size?: unknown } }>(join(runDir(config.logDir, runName), RunFiles.config))
  // `team_size`: what runs recorded before the pair size had its own name.
  const pairSize = stored?.fingerprint?.pair_size ?? stored?.fingerprint?.team_size
  return Number.isInteger(pairSize) && (pairSize as number) >= 2 ? { ...config, pairSize: pairSize as number } : config
}
