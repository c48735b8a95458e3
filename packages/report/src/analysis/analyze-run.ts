import { recordedSeats } from '@cooperbench/spec-utils/setting'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isoNow, type PairFolder, PairFiles, readJsonIfPresent, readTrajectory, RunFiles, runDir, scanRun, writeJsonAtomic } from '@cooperbench/results'
import { CooperbenchError, type ConversationEntry, type EvalRecord } from '@cooperbench/spec'
import { pairLabel } from '@cooperbench/spec-utils'
import { readRunAnalysis } from '../readers/run-analysis.js'
import { type AnalysisRecord, type PairAnalysis, type PairOutcome, summarise } from './analysis-file.js'
import { JUDGE_PROMPT_VERSION, JUDGE_SYSTEM_PROMPT, JUDGE_TOOL, judgeInputHash, type JudgeModel, judgeUserPrompt, parseJudgement } from './judge.js'
import { type AgentRecords, pairSignals, type TrajectoryStep } from './signals.js'

/** What `analyzeRun` analyses, in a log dir already resolved (the CLI's `analyze()` finds the default one). */
export interface AnalyzeRunOptions {
  runName: string
  /** The folder holding the run folders. */
  logDir: string
  /** The judge model (`openai/gpt-4o`, keys from the environment as for runs), optionally OpenAI-compatible; without it, signals only. */
  model?: string
  modelBaseUrl?: string
  /** Judge again pairs whose cached judgement matches (default: reuse them). */
  force?: boolean
  /** Called after each pair is written. */
  onPair?: (pair: PairAnalysis, index: number, total: number) => void
  /** For tests and custom judges: replaces the model layer. */
  judgeModel?: JudgeModel
  /** Makes `model` a judge (the CLI: mini-SWE's model layer, checked up front) once coop pairs are found; unneeded with `judgeModel`. */
  modelJudge?: (model: string, baseUrl: string | undefined) => Promise<JudgeModel>
}

/**
 * `cooperbench analyze`: each coop pair's model-free coordination signals; each failed pair's paper category from an LLM judge quoting
 * evidence. `<run>/analysis.json` is written after every pair (resumable); a judgement is reused while model, prompt version and inputs hold.
 */
export async function analyzeRun(options: AnalyzeRunOptions): Promise<AnalysisRecord> {
  const folder = runDir(options.logDir, options.runName)
  const pairs = (await scanRun(folder)).filter((p) => p.setting === 'coop')
  if (pairs.length === 0) {
    throw new CooperbenchError('RUN_NOT_FOUND', `no coop pairs found for run "${options.runName}" in ${folder}`, {
      hint: 'analyze reads coop runs (the taxonomy is about teammates); check the name and the log dir.',
    })
  }
  // --force judges again and rewrites analysis.json, whatever it holds: nothing of it is read.
  const cached = options.force ? new Map<string, unknown>() : await cachedJudgements(folder, options.runName)
  const judgeModel = options.judgeModel ?? (options.model ? await judgeOf(options, options.model) : null)
  const modelName = options.model ?? (options.judgeModel ? 'custom' : null)
  const path = join(folder, RunFiles.analysis)

  const analysed: PairAnalysis[] = []
  let record: AnalysisRecord | undefined
  const write = () => {
    record = {
      run_name: options.runName,
      analyzed_at: isoNow(),
      judge: modelName === null ? null : { model: modelName, prompt_version: JUDGE_PROMPT_VERSION },
      pairs: analysed,
      summary: summarise(analysed),
    }
    return writeJsonAtomic(path, record)
  }

  /** A judge the provider refuses or cannot be reached after the retries: every later pair would fail alike. */
  let stop: CooperbenchError | null = null
  for (const [index, pair] of pairs.entries()) {
    const agents = await agentRecords(pair)
    const conversation = (await readJsonIfPresent<ConversationEntry[]>(join(pair.dir, PairFiles.conversation)).catch(() => null)) ?? []
    // A record that cannot be read is named, never taken for a pair without a verdict or a failed one.
    const outcome = pair.unreadable.length > 0 ? 'unreadable' : outcomeOf(pair.eval)
    const entry: PairAnalysis = {
      repo: pair.repo,
      task_id: pair.taskId,
      features: pair.features,
      outcome,
      signals: pairSignals(agents, conversation),
      judgement: null,
      judge_error: null,
      ...(outcome === 'unreadable' ? { unreadable: [...pair.unreadable] } : {}),
    }
    if (outcome === 'failed' && judgeModel !== null) {
      const user = judgeUserPrompt({ features: pair.features, eval: pair.eval!, agents, conversation })
      const hash = judgeInputHash(modelName!, user)
      const reusable = cached.get(pairLabel(pair.repo, pair.taskId, pair.features)) as PairAnalysis['judgement'] | undefined
      if (reusable?.input_sha256 === hash) entry.judgement = reusable
      else {
        try {
          const answer = await judgeModel({ system: JUDGE_SYSTEM_PROMPT, user, tool: JUDGE_TOOL })
          entry.judgement = { ...parseJudgement(answer.toolArguments, user), model: modelName!, input_sha256: hash }
        } catch (error) {
          entry.judge_error = error instanceof Error ? error.message : String(error)
          stop = judgeUnusable(error, modelName!)
        }
      }
    }
    analysed.push(entry)
    await write()
    options.onPair?.(entry, index, pairs.length)
    if (stop !== null) throw stop
  }
  refuseWhenNothingJudged(options.runName, modelName, analysed)
  // What was written last: a copy, so the caller's record never changes under it.
  return structuredClone(record!)
}

/** A judge that answered no failed pair (server gone, tool never called, off-schema) is an error, not a 0 % analysis; analysis.json is written. */
function refuseWhenNothingJudged(runName: string, modelName: string | null, analysed: PairAnalysis[]) {
  if (modelName === null) return
  const failed = analysed.filter((p) => p.outcome === 'failed')
  if (failed.length === 0 || failed.some((p) => p.judgement !== null)) return
  const firstError = failed.find((p) => p.judge_error !== null)?.judge_error ?? 'no answer'
  throw new CooperbenchError('NOTHING_JUDGED', `the judge ${modelName} judged none of the ${failed.length} failed pair(s) of ${runName}: ${firstError}`, {
    hint: `Check the judge model (-m) and its server (--model-base-url); the signals and each pair's judge error are in ${RunFiles.analysis}. Rerun analyze to judge again.`,
  })
}

/** A failure every later call shares (refused key, server gone, no API at the URL; after retries) ends the analysis; others are that pair's judge error. */
function judgeUnusable(error: unknown, modelName: string): CooperbenchError | null {
  const kind = (error as { name?: unknown; kind?: unknown } | null)?.name === 'ModelCallError' ? (error as { kind: unknown }).kind : null
  if (kind !== 'auth' && kind !== 'connection' && kind !== 'protocol') return null
  const message = `the judge ${modelName} cannot be used: ${(error as Error).message}`
  const connection = kind === 'connection'
  const fix = connection ? 'Start the model server or fix --model-base-url' : 'Check the API key and --model-base-url of the judge'
  const hint = `${fix}; judgements made so far are kept and reused by the next analysis.`
  return new CooperbenchError(connection ? 'BACKEND_UNAVAILABLE' : 'CONFIG_INVALID', message, { hint })
}

/** The judgements of the run's analysis.json by pair; a file that is not an analysis record is an error naming what is wrong. */
async function cachedJudgements(folder: string, runName: string) {
  const { analysis, problem } = await readRunAnalysis(folder)
  if (problem !== null) {
    throw new CooperbenchError('FILESYSTEM', problem, {
      hint: `\`cooperbench analyze -n ${runName} --force\` rewrites it (judging every failed pair again), or remove it.`,
    })
  }
  return new Map((analysis?.pairs ?? []).map((p) => [pairLabel(p.repo, p.task_id, p.features), p.judgement]))
}

function outcomeOf(record: EvalRecord | null): PairOutcome {
  if (record === null) return 'unevaluated'
  if (record.error) return 'error'
  return record.both_passed ? 'passed' : 'failed'
}

async function agentRecords(pair: PairFolder): Promise<AgentRecords[]> {
  // The agents of one feature each: coordination signals are about teammates.
  const seats = pair.result?.agents ? recordedSeats(pair.result).filter((seat) => seat.featureIds.length === 1) : []
  const records: AgentRecords[] = []
  for (const seat of seats) {
    const trajectory = (await readTrajectory(pair.dir, seat.trajectory).catch(() => null))?.value as { messages?: TrajectoryStep[] } | null | undefined
    const patch = await readFile(join(pair.dir, seat.patch), 'utf8').catch(() => '')
    records.push({ agentId: seat.agentId, featureId: seat.featureIds[0]!, trajectory: trajectory?.messages ?? [], patch })
  }
  return records
}

/** The judge of `model`, made by the caller's model layer. */
async function judgeOf(options: AnalyzeRunOptions, model: string): Promise<JudgeModel> {
  if (options.modelJudge === undefined) {
    throw new CooperbenchError('USAGE', `analyzeRun() has no model layer to judge with ${model}`, {
      hint: "Pass modelJudge (how a model string becomes a judge) or judgeModel; the CLI's analyze() passes the mini-SWE model layer.",
    })
  }
  return options.modelJudge(model, options.modelBaseUrl)
}
