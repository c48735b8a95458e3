import { randomBytes } from 'node:crypto'
import type { Pair, PhaseRecord, ResultRecord, Seat, SeatOutcome, SettingOutcome, SettingPair } from '@cooperbench/spec'
import { SANDBOX_LABELS } from '@cooperbench/spec'
import { readFeatureSpec } from '../dataset/index.js'
import { openScopeFor } from '../plugin/container.js'
import type { Resolved } from '../plugin/provide.js'
import { Tokens } from '../plugin/tokens.js'
import { PairFiles, pairDir } from '@cooperbench/results'
import { isoNow } from '@cooperbench/spec-utils/records'
import type { PairEvents } from './events.js'
import { taskTextDigest } from './eval-inputs.js'
import { createGitRemote } from './git-remote.js'
import { pairFolders } from './pair-folders.js'
import { resultIdentity, resultProvenance } from './pair-records.js'
import type { RunPlan } from './plan.js'
import type { OpenedRun } from './run-scope.js'
import { runSeat, type SeatRun } from './run-seat.js'
import { RunnerTokens } from './scope-services.js'

/** What a pair takes from its scope, once, when the scope opens. */
const PAIR_NEEDS = {
  setting: Tokens.Setting,
  bus: RunnerTokens.PairBus,
  backend: Tokens.Backend,
  logger: Tokens.Logger,
  sinks: RunnerTokens.Sinks,
  lifetime: Tokens.Lifetime,
}

/** One pair in its own scope: its setting runs the seats, then result.json last, so its presence means the pair finished (none if interrupted). */
export async function runPair(
  run: Pick<OpenedRun, 'scope' | 'plan' | 'records'>,
  pair: Pair,
  signal: AbortSignal,
  events: PairEvents = {},
): Promise<ResultRecord> {
  const { plan } = run
  const dir = pairDir(plan.logDir, plan.runName, plan.setting, pair.task.repo, pair.task.taskId, pair.features)
  // A rerun invalidates the previous evaluation; result.json is replaced only at the end.
  await run.records.remove(dir, PairFiles.eval)
  // Before any agent reads it: the task text the agents are given, which result.json records.
  const taskText = await taskTextDigest(pair.task, pair.features)
  const runId = randomBytes(4).toString('hex')
  const startedAt = new Date()
  const { scope, services } = await openScopeFor(run.scope, 'pair', [[Tokens.Pair, { pair, dir, runId }]], PAIR_NEEDS)
  try {
    const phases: PhaseRecord[] = []
    const seats: SeatRun = {
      scope,
      plan,
      task: pair.task,
      dir,
      runId,
      members: [],
      labels: { [SANDBOX_LABELS.runId]: runId, [SANDBOX_LABELS.pair]: `${pair.task.repo}/${pair.task.taskId}/${pair.features.join(',')}` },
      events,
    }
    const context = settingPair({ plan, pair, dir, runId, signal, services, seats, phases })
    const outcome = await services.setting.run(context)
    const record = resultRecord(plan, pair, runId, startedAt, outcome, phases, resultProvenance(plan, pair, dir, taskText))
    await run.records.write(dir, PairFiles.result, record)
    await services.sinks.notify((sink) => sink.resultWritten, { dir, record })
    return record
  } finally {
    await scope.dispose()
  }
}

/** result.json: the pair and run, the setting and times, the setting's keys, the provenance, then the setting's last keys. */
function resultRecord(
  plan: RunPlan,
  pair: Pair,
  runId: string,
  startedAt: Date,
  outcome: SettingOutcome,
  phases: PhaseRecord[],
  provenance: ReturnType<typeof resultProvenance>,
): ResultRecord {
  const endedAt = new Date()
  return {
    ...resultIdentity(plan, pair, runId),
    setting: plan.setting,
    started_at: isoNow(startedAt),
    ended_at: isoNow(endedAt),
    duration_seconds: Math.round((endedAt.getTime() - startedAt.getTime()) / 10) / 100,
    ...outcome.record,
    ...provenance,
    messaging_enabled: outcome.messaging,
    git_enabled: outcome.git,
    ...outcome.recordTail,
    ...(phases.length > 0 ? { phases } : {}),
  } as ResultRecord
}

interface PairServices {
  plan: RunPlan
  pair: Pair
  dir: string
  runId: string
  signal: AbortSignal
  services: Resolved<typeof PAIR_NEEDS>
  seats: SeatRun
  /** The phases the setting named, as they end. */
  phases: PhaseRecord[]
}

/** The pair as its setting gets it: its facts and the harness's services, all owned by the pair scope. */
function settingPair({ plan, pair, dir, runId, signal, services, seats, phases }: PairServices): SettingPair {
  const { bus, backend, logger, lifetime } = services
  return {
    task: pair.task,
    features: pair.features,
    runId,
    options: plan.settingOptions,
    run: { messaging: plan.messagingEnabled, git: plan.gitEnabled, features: pair.features.length },
    bus,
    backend: { name: backend.name, capabilities: backend.capabilities },
    logger,
    signal,
    featureText: (featureId) => readFeatureSpec(pair.task, featureId),
    runSeats: (list, phase) => runSeatsTogether({ ...seats, members: list.map((seat) => seat.agentId) }, list, phase, phases, signal),
    openChannel: async (name) => {
      if (bus === null) return null
      const namespace = name === undefined ? `run:${runId}` : `run:${runId}:${name}`
      lifetime.own(`messages ${namespace}`, () => bus.clear(namespace).catch(() => {}))
      return { namespace, transcript: () => bus.transcript(namespace) }
    },
    openGitRemote: (name) => createGitRemote(lifetime, name),
    ...pairFolders(lifetime, dir),
  }
}

/** Seats run at once; a named phase is recorded with its times and seats once every seat has ended. */
async function runSeatsTogether(
  run: SeatRun,
  seats: readonly Seat[],
  phase: string | undefined,
  phases: PhaseRecord[],
  signal: AbortSignal,
): Promise<SeatOutcome[]> {
  const started = isoNow()
  const outcomes = await allSettledOrThrow(seats.map((seat) => runSeat(run, seat, signal)))
  if (phase !== undefined) {
    phases.push({
      name: phase,
      started_at: started,
      ended_at: isoNow(),
      seats: seats.map((seat, i) => ({
        agent_id: seat.agentId,
        feature_ids: seat.featureIds,
        ...(seat.role === undefined ? {} : { role: seat.role }),
        patch: seat.files.patch,
        trajectory: seat.files.trajectory,
        ...(seat.files.artifact === undefined ? {} : { artifact: seat.files.artifact }),
        ...(seat.startFrom === undefined ? {} : { started_from: seat.startFrom.agent }),
        status: outcomes[i]!.result.status,
      })),
    })
  }
  return outcomes
}

/** Promise.all that waits for every seat before rethrowing: the pair scope is never disposed while a sibling makes its sandbox. */
async function allSettledOrThrow<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises)
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failure) throw failure.reason
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value)
}
