import { randomBytes } from 'node:crypto'
import type { Pair, PairService, PhaseRecord, ResultRecord, RunningSeat, Seat, SeatOutcome, SettingOutcome, SettingPair } from '@cooperbench/spec'
import { CooperbenchError, SANDBOX_LABELS } from '@cooperbench/spec'
import { readFeatureSpec } from '../dataset/index.js'
import { openScopeFor } from '../plugin/container.js'
import type { Resolved } from '../plugin/provide.js'
import { Tokens } from '../plugin/tokens.js'
import { PairFiles, pairDir } from '@cooperbench/results'
import { getOrCreate, pairLabel } from '@cooperbench/spec-utils'
import { isoNow } from '@cooperbench/spec-utils/records'
import type { PairEvents } from './events.js'
import { taskTextDigest } from './eval-inputs.js'
import { createGitRemote } from './git-remote.js'
import { pairFolders } from './pair-folders.js'
import { resultIdentity, resultProvenance } from './pair-records.js'
import type { RunPlan } from './plan.js'
import type { OpenedRun } from './run-scope.js'
import { closeSeat, runSeat, type SeatPlace, type SeatRun, type SeatRunEnd, type SeatRunOptions } from './run-seat.js'
import { RunnerTokens } from './scope-services.js'

/** What a pair takes from its scope, once, when the scope opens. */
const PAIR_NEEDS = {
  setting: Tokens.Setting,
  bus: RunnerTokens.PairBus,
  backend: Tokens.Backend,
  logger: Tokens.Logger,
  sinks: RunnerTokens.Sinks,
  lifetime: Tokens.Lifetime,
  seatAgents: RunnerTokens.SeatAgents,
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
  const { capabilities } = services.backend
  const seats = new PairSeats(
    {
      scope,
      plan,
      task: pair.task,
      dir,
      runId,
      labels: { [SANDBOX_LABELS.runId]: runId, [SANDBOX_LABELS.pair]: pairLabel(pair.task.repo, pair.task.taskId, pair.features) },
      events,
      seatAgents: services.seatAgents,
      openFolder: pairFolders(services.lifetime, dir).openFolder,
      backend: { sharedFolders: capabilities.sharedFolders === true, isolation: capabilities.isolation },
    },
    signal,
  )
  try {
    const outcome = await seats.settledAfter(services.setting.run(settingPair(pair, services, seats)))
    const record = resultRecord(plan, pair, runId, startedAt, outcome, seats.phases, resultProvenance(plan, pair, dir, taskText))
    await run.records.write(dir, PairFiles.result, record)
    await services.sinks.notify((sink) => sink.resultWritten, { dir, record })
    return record
  } finally {
    await seats.release()
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

/** The pair as its setting gets it: its facts and the harness's services, all owned by the pair scope. */
function settingPair(pair: Pair, services: Resolved<typeof PAIR_NEEDS>, seats: PairSeats): SettingPair {
  const { bus, backend, logger, lifetime } = services
  const { plan, runId } = seats.run
  const made = new Map<string, Promise<unknown>>()
  const settingPairObject: SettingPair = {
    task: pair.task,
    features: pair.features,
    runId,
    options: plan.settingOptions,
    run: { messaging: plan.messagingEnabled, git: plan.gitEnabled, features: pair.features.length },
    bus,
    backend: { name: backend.name, capabilities: backend.capabilities },
    logger,
    signal: seats.signal,
    featureText: (featureId) => readFeatureSpec(pair.task, featureId),
    runSeats: (list, phase) => seats.runTogether(list, phase),
    startSeat: (seat, phase) => seats.start(seat, phase, [seat.agentId]).running,
    service: <T>(ref: PairService<T>) => getOrCreate(made, ref.id, () => Promise.resolve(ref.create(settingPairObject))) as Promise<T>,
    openChannel: async (name) => {
      if (bus === null) return null
      const namespace = name === undefined ? `run:${runId}` : `run:${runId}:${name}`
      lifetime.own(`messages ${namespace}`, () => bus.clear(namespace).catch(() => {}))
      return { namespace, transcript: () => bus.transcript(namespace) }
    },
    openGitRemote: (name) => createGitRemote(lifetime, name),
    ...pairFolders(lifetime, seats.run.dir),
  }
  return settingPairObject
}

/** One seat's run under way: its setting's handle, and what the harness records of it. */
interface StartedSeat {
  running: RunningSeat
  ended: Promise<SeatRunEnd>
  began: SeatStart
}

/** When a seat's run began: its time, and its place among the pair's starts (times can tie). */
interface SeatStart {
  at: string
  order: number
}

/** What a continuation carries on from; none (a fresh sandbox) when the earlier run lost its sandbox to the infrastructure. */
function carriedFrom(before: SeatRunEnd, seat: Seat): SeatRunOptions['carried'] {
  if (before.place) return { place: before.place, previous: before.outcome }
  if (before.outcome.result.failure === 'infra') return undefined
  throw new CooperbenchError('PLUGIN_FAILED', `${seat.agentId} cannot be continued: its seat did not keep its sandbox`, {
    hint: 'Set `keep: true` on a seat the setting continues (Seat.keep).',
  })
}

/**
 * The seats a pair's setting started, the places they kept and the phases they ran in: the pair ends after every seat (a setting
 * that forgot one still waits for it), and frees the kept places.
 */
class PairSeats {
  /** The pair's phases as their seats end, in the order each phase began. */
  readonly phases: PhaseRecord[] = []
  /** Each phase's first start among the pair's starts; a seat started at run time may end first. */
  private readonly phaseOrder = new Map<PhaseRecord, number>()
  private starts = 0
  private readonly runs = new Set<Promise<unknown>>()
  private readonly places = new Set<SeatPlace>()

  constructor(
    readonly run: SeatRun,
    readonly signal: AbortSignal,
  ) {}

  /** Seats run at once, recorded in seat order once all ended, whatever order they end in. */
  async runTogether(list: readonly Seat[], phase: string | undefined): Promise<SeatOutcome[]> {
    const members = list.map((seat) => seat.agentId)
    const running = list.map((seat) => this.start(seat, undefined, members))
    const ends = await allSettledOrThrow(running.map((r) => r.ended))
    if (phase !== undefined) for (const [i, end] of ends.entries()) this.record(phase, list[i]!, end, running[i]!.began)
    return ends.map((end) => end.outcome)
  }

  /** Starts a seat's run (or its continuation once the run `before` ended), recorded in its phase as it ends. */
  start(seat: Seat, phase: string | undefined, members: readonly string[], before?: Promise<SeatRunEnd>): StartedSeat {
    const began = { at: isoNow(), order: this.starts++ }
    const ended = (async () => {
      const carried = before ? carriedFrom(await before, seat) : undefined
      const end = await runSeat(this.run, seat, this.signal, { members, ...(carried ? { carried } : {}) })
      // Kept again, or freed by the run when the seat no longer keeps it.
      if (carried) this.places.delete(carried.place)
      if (end.place) this.places.add(end.place)
      if (phase !== undefined) this.record(phase, seat, before && !carried ? { ...end, continued: false } : end, began)
      return end
    })()
    const outcome = ended.then((end) => end.outcome)
    // Rejected only on an interruption, which the pair reports itself: a setting that never awaits it has nothing to handle.
    const settled = outcome.catch(() => {})
    // The pair waits for it until it settles.
    this.runs.add(settled)
    void settled.then(() => this.runs.delete(settled))
    const running: RunningSeat = {
      agentId: seat.agentId,
      outcome,
      continue: (next, nextPhase) => this.start({ ...seat, ...next }, nextPhase, [seat.agentId], ended).running,
    }
    return { running, ended, began }
  }

  /** The setting's outcome once every seat it started has ended too. */
  async settledAfter<T>(outcome: Promise<T>): Promise<T> {
    try {
      return await outcome
    } finally {
      while (this.runs.size > 0) await Promise.all(this.runs)
    }
  }

  async release(): Promise<void> {
    await Promise.all([...this.places].map((place) => closeSeat(null, place)))
    this.places.clear()
  }

  private record(name: string, seat: Seat, end: SeatRunEnd, began: SeatStart): void {
    let phase = this.phases.find((p) => p.name === name)
    if (phase === undefined) {
      phase = { name, started_at: began.at, ended_at: began.at, seats: [] }
      this.phases.push(phase)
    }
    if (began.at < phase.started_at) phase.started_at = began.at
    this.phaseOrder.set(phase, Math.min(this.phaseOrder.get(phase) ?? began.order, began.order))
    this.phases.sort((a, b) => this.phaseOrder.get(a)! - this.phaseOrder.get(b)!)
    phase.ended_at = isoNow()
    const { outcome } = end
    const own = outcome.record.agent_framework !== undefined
    phase.seats.push({
      agent_id: seat.agentId,
      feature_ids: seat.featureIds,
      ...(seat.role === undefined ? {} : { role: seat.role }),
      patch: seat.files.patch,
      trajectory: seat.files.trajectory,
      ...(seat.files.artifact === undefined ? {} : { artifact: seat.files.artifact }),
      ...(seat.startFrom === undefined ? {} : { started_from: seat.startFrom.agent }),
      ...(own ? { agent_framework: outcome.agent, model: outcome.model } : {}),
      ...(end.continued === undefined ? {} : { continued: end.continued }),
      status: outcome.result.status,
    })
  }
}

/** Promise.all that waits for every seat before rethrowing: the pair scope is never disposed while a sibling makes its sandbox. */
async function allSettledOrThrow<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises)
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failure) throw failure.reason
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value)
}
