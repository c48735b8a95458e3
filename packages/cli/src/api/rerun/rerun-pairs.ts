import { join, relative } from 'node:path'
import pLimit from 'p-limit'
import { type PairFolder, readJsonIfPresent, recordAgents, RunFiles, scanRun, verdictOf } from '@cooperbench/results'
import { type StoredRunConfig, storedFingerprint } from '@cooperbench/report'
import { CooperbenchError, ExitCode, isCooperbenchError } from '@cooperbench/spec'
import type { Host } from '../host.js'
import type { HostOptions } from '../options.js'
import { run } from '../run.js'
import { claimDifferences, claimedSettings } from './claimed-settings.js'
import { drawPairs } from './draw-pairs.js'
import { type BundledVerdict, type RerunEvidence, type RerunPair, rerunEvidence } from './rerun-evidence.js'

/** What a verifier gives besides the bundle: where and how the reruns run, and what the claim cannot carry. */
export interface RerunRequest extends Pick<HostOptions, 'cwd' | 'config' | 'plugins' | 'signal' | 'onEvent'> {
  /** Pairs to draw, and the seed they are drawn with. */
  count: number
  seed: number
  /** The unpacked bundle's root (`runs/<run>/…`), its runs, and a folder for the reruns (the caller removes it). */
  root: string
  runs: string[]
  work: string
  datasetDir: string
  backend?: string
  /** Reruns at once; default 4. */
  concurrency?: number
  /** The verifier's server for the claimed model: the bundle's author's is not called unless named here or in the config. */
  modelBaseUrl?: string
  /** The verifier's copy of an `--agent-config` file the claim names by its digest. */
  agentConfig?: string
  /** The plugins as verify loaded them: every rerun runs with the one load (`run` would load them again each). */
  host?: Host
}

interface Candidate {
  run: string
  pair: PairFolder
  bundled: BundledVerdict
}

/**
 * Reruns `count` pairs drawn from a verified bundle with their claimed agent, model and options,
 * each evaluated as `eval` does, in a run of its own under `work`; compares their verdicts with the
 * bundle's. Pairs the bundle judged an error are not drawn (there is nothing to agree with).
 */
export async function rerunBundledPairs(request: RerunRequest): Promise<RerunEvidence> {
  const candidates: Candidate[] = []
  for (const run of request.runs) {
    for (const pair of await scanRun(join(request.root, 'runs', run))) {
      const bundled = verdictOf(pair.eval)
      if (bundled === 'pass' || bundled === 'fail') candidates.push({ run, pair, bundled })
    }
  }
  const drawn = drawPairs(candidates, request.count, request.seed)
  const slots = pLimit(request.concurrency ?? 4)
  // The first rerun that throws stops the others, and each is awaited before the error goes up:
  // verify removes their folder next, and no sandbox may outlive it.
  const stop = new AbortController()
  const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal
  let failure: { error: unknown } | null = null
  const settled = await Promise.allSettled(
    drawn.map((candidate, i) =>
      slots(() =>
        rerunOne({ ...request, signal }, candidate, `rerun-${i + 1}`).catch((error: unknown) => {
          failure ??= { error }
          stop.abort()
          throw error
        }),
      ),
    ),
  )
  if (failure !== null) throw (failure as { error: unknown }).error
  const pairs = settled.map((outcome) => (outcome as PromiseFulfilledResult<RerunPair>).value)
  const passed = candidates.filter((c) => c.bundled === 'pass').length
  return rerunEvidence({ seed: request.seed, asked: request.count }, pairs, { passed, judged: candidates.length })
}

async function rerunOne(request: RerunRequest, { run: bundledRun, pair, bundled }: Candidate, runName: string): Promise<RerunPair> {
  const name = relative(join(request.root, 'runs'), pair.dir)
  const stored = await readJsonIfPresent<StoredRunConfig>(join(request.root, 'runs', bundledRun, RunFiles.config))
  const claimed = await claimedSettings(stored, pair.setting, bundledRun, request.agentConfig)
  const { cwd, config, plugins, signal, onEvent, datasetDir, backend, modelBaseUrl } = request
  const error = (why: string): RerunPair => ({ pair: name, bundled, rerun: 'error', error: why })
  try {
    const result = await run(
      {
        ...claimed,
        ...{ cwd, config, plugins, signal, onEvent, datasetDir, backend, modelBaseUrl },
        logDir: request.work,
        runName,
        // The one pair, whatever the verifier's config selects.
        subset: null,
        repo: pair.repo,
        taskId: pair.taskId,
        features: pair.features,
        pairSize: pair.features.length,
        autoEval: true,
      },
      { host: request.host },
    )
    if (result.interrupted) throw new CooperbenchError('INTERRUPTED', 'verify --rerun was interrupted', { hint: 'Nothing is kept: verify again.' })
    const rerun = (await scanRun(result.folder)).find((p) => p.setting === pair.setting && p.features.join() === pair.features.join())
    if (!rerun?.result) return error('the rerun left no result.json')
    const ran = storedFingerprint(await readJsonIfPresent<StoredRunConfig>(join(result.folder, RunFiles.config)), pair.setting)
    const differences = claimDifferences(storedFingerprint(stored, pair.setting)?.value ?? {}, ran?.value ?? {})
    if (differences.length > 0) return error(`it ran under another configuration than the claim's: ${differences.join('; ')}`)
    const infra = recordAgents(rerun.result).find(([, agent]) => agent?.failure === 'infra' || agent?.failure === 'dataset')
    if (infra) return error(`${infra[0]} failed (${infra[1].failure}): ${String(infra[1].error ?? 'no message')}`)
    const verdict = verdictOf(rerun.eval)
    if (verdict === 'pass' || verdict === 'fail') return { pair: name, bundled, rerun: verdict }
    return error(verdict === 'error' ? `evaluation error: ${rerun.eval?.error}` : 'the rerun was not evaluated')
  } catch (thrown) {
    // A sandbox or backend that fails is the verifier's infrastructure, not evidence; bad settings stop verify.
    if (isCooperbenchError(thrown) && thrown.exitCode === ExitCode.backend) return error(thrown.message)
    throw thrown
  }
}
