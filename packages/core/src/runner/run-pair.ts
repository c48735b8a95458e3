import { randomBytes } from 'node:crypto'
import type {
  Pair,
  PairService,
  PhaseRecord,
  ResultRecord,
  RunningSeat,
  Seat,
  SeatContinuation,
  SeatOutcome,
  SettingOutcome,
  SettingPair,
} from '@cooperbench/spec'
import { CooperbenchError, SANDBOX_LABELS } from '@cooperbench/spec'
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
  const seatsUnderWay = new SeatsUnderWay()
  try {
    const phases = new PhaseRecords()
    const folders = pairFolders(services.lifetime, dir)
    const { capabilities } = services.backend
    const seats: SeatRun = {
      scope,
      plan,
      task: pair.task,
      dir,
      runId,
      labels: { [SANDBOX_LABELS.runId]: runId, [SANDBOX_LABELS.pair]: `${pair.task.repo}/${pair.task.taskId}/${pair.features.join(',')}` },
      events,
      seatAgents: services.seatAgents,
      openFolder: folders.openFolder,
      backend: { sharedFolders: capabilities.sharedFolders === true, isolation: capabilities.isolation },
    }
    const context = settingPair({ plan, pair, dir, runId, signal, services, seats, phases, seatsUnderWay })
    const outcome = await seatsUnderWay.settledAfter(services.setting.run(context))
    const record = resultRecord(plan, pair, runId, startedAt, outcome, phases.records, resultProvenance(plan, pair, dir, taskText))
    await run.records.write(dir, PairFiles.result, record)
    await services.sinks.notify((sink) => sink.resultWritten, { dir, record })
    return record
  } finally {
    await seatsUnderWay.release()
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
  phases: PhaseRecords
  seatsUnderWay: SeatsUnderWay
}

/** The pair as its setting gets it: its facts and the harness's services, all owned by the pair scope. */
function settingPair({ plan, pair, dir, runId, signal, services, seats, phases, seatsUnderWay }: PairServices): SettingPair {
  const { bus, backend, logger, lifetime } = services
  const made = new Map<string, Promise<unknown>>()
  const start = (seat: Seat, phase: string | undefined, members: readonly string[]) =>
    startRunningSeat({ run: seats, seat, phase, members, phases, signal, under: seatsUnderWay })
  const settingPairObject: SettingPair = {
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
    runSeats: async (list, phase) => {
      const members = list.map((seat) => seat.agentId)
      // Recorded in seat order once all ended, whatever order they end in.
      const running = list.map((seat) => start(seat, undefined, members))
      const ends = await allSettledOrThrow(running.map((r) => r.ended))
      if (phase !== undefined) for (const [i, end] of ends.entries()) phases.add(phase, list[i]!, end, running[i]!.startedAt)
      return ends.map((end) => end.outcome)
    },
    startSeat: (seat, phase) => start(seat, phase, [seat.agentId]).running,
    service: <T>(ref: PairService<T>) => {
      let instance = made.get(ref.id)
      if (instance === undefined) {
        instance = Promise.resolve(ref.create(settingPairObject))
        made.set(ref.id, instance)
      }
      return instance as Promise<T>
    },
    openChannel: async (name) => {
      if (bus === null) return null
      const namespace = name === undefined ? `run:${runId}` : `run:${runId}:${name}`
      lifetime.own(`messages ${namespace}`, () => bus.clear(namespace).catch(() => {}))
      return { namespace, transcript: () => bus.transcript(namespace) }
    },
    openGitRemote: (name) => createGitRemote(lifetime, name),
    ...pairFolders(lifetime, dir),
  }
  return settingPairObject
}

/** One seat's run under way: its setting's handle, and what the harness records of it. */
interface StartedSeat {
  running: RunningSeat
  ended: Promise<SeatRunEnd>
  startedAt: string
}

interface SeatStart {
  run: SeatRun
  seat: Seat
  phase: string | undefined
  members: readonly string[]
  phases: PhaseRecords
  signal: AbortSignal
  under: SeatsUnderWay
  carried?: Promise<SeatRunEnd>
}

/** Starts a seat's run (or its continuation once the run it carries on from ended), recorded in its phase as it ends. */
function startRunningSeat(start: SeatStart): StartedSeat {
  const { run, seat, phase, phases, signal, under } = start
  const startedAt = isoNow()
  const ended = under.track(
    (async () => {
      const carried = start.carried ? await carriedFrom(await start.carried, seat) : undefined
      const end = await runSeat(run, seat, signal, { members: start.members, ...(carried ? { carried } : {}) })
      // Kept again, or freed by the run when the seat no longer keeps it.
      if (carried) under.forget(carried.place)
      if (end.place) under.keep(end.place)
      if (phase !== undefined) phases.add(phase, seat, start.carried && !carried ? { ...end, continued: false } : end, startedAt)
      return end
    })(),
  )
  const outcome = ended.then((end) => end.outcome)
  // Rejected only on an interruption, which the pair reports itself: a setting that never awaits it has nothing to handle.
  outcome.catch(() => {})
  const running: RunningSeat = {
    agentId: seat.agentId,
    outcome,
    continue: (next: SeatContinuation, nextPhase?: string) =>
      startRunningSeat({ ...start, seat: { ...seat, ...next }, phase: nextPhase, carried: ended, members: [seat.agentId] }).running,
  }
  return { running, ended, startedAt }
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
 * The seats a pair's setting started and the places they kept: the pair ends after every seat (a setting that forgot one still
 * waits for it), and frees the kept places.
 */
class SeatsUnderWay {
  private readonly runs = new Set<Promise<unknown>>()
  private readonly places = new Set<SeatPlace>()

  track<T>(run: Promise<T>): Promise<T> {
    const settled = run.then(
      () => {},
      () => {},
    )
    this.runs.add(settled)
    void settled.then(() => this.runs.delete(settled))
    return run
  }

  keep(place: SeatPlace): void {
    this.places.add(place)
  }

  forget(place: SeatPlace): void {
    this.places.delete(place)
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
}

/** The pair's phases as their seats end, in the order each phase began. */
class PhaseRecords {
  private readonly phases: PhaseRecord[] = []

  get records(): PhaseRecord[] {
    return this.phases
  }

  add(name: string, seat: Seat, end: SeatRunEnd, startedAt: string): void {
    let phase = this.phases.find((p) => p.name === name)
    if (phase === undefined) {
      phase = { name, started_at: startedAt, ended_at: startedAt, seats: [] }
      this.phases.push(phase)
    }
    if (startedAt < phase.started_at) phase.started_at = startedAt
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
