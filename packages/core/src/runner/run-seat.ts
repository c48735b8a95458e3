import { join } from 'node:path'
import {
  type Agent,
  type AgentResult,
  type AgentRunContext,
  type CommandTool,
  type Coordination,
  CooperbenchError,
  errorMessage,
  type FailureOrigin,
  isCooperbenchError,
  type Logger,
  type Mailbox,
  type MessageBus,
  type PatchSource,
  type Sandbox,
  SEAT_COMMAND_DIR,
  type Seat,
  type SeatCoordination,
  type SeatOutcome,
  type Task,
} from '@cooperbench/spec'
import { emptyAgentResult } from '@cooperbench/spec-utils'
import { imageName } from '@cooperbench/spec-utils/images'
import { normalizeSubmittedPatch } from '@cooperbench/spec-utils/patch'
import { type TrajectoryHeader, writeFileAtomic } from '@cooperbench/results'
import { openScopeFor, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import { supervise } from '../util/supervise.js'
import { agentDeadlineMs, HARNESS_DEADLINES, settledOrThrow } from './deadlines.js'
import type { PairEvents } from './events.js'
import { extractPatch, MAX_PATCH_BYTES } from './extract-patch.js'
import { connectToGitRemote, followsReferenceProtocol } from './git-remote.js'
import { seatAsTaken } from './seat-as-taken.js'
import { agentRecord, agentReport } from './pair-records.js'
import { type RunPlan, type SeatPlan, seatPlanOf } from './plan.js'
import { reportingSends } from './reporting-mailbox.js'
import { RunnerTokens, type SeatAgentOf } from './scope-services.js'
import { serveTools } from './seat-tools/serve-tools.js'
import { TOOL_SPOOL_DIR } from './seat-tools/tool-scripts.js'
import { createTrajectoryRecorder } from './trajectory.js'

/** What a seat's run needs of its pair: the pair scope, the plan, the folder, the seat roles' agents and what the backend can do. */
export interface SeatRun {
  scope: Scope
  plan: RunPlan
  task: Task
  dir: string
  runId: string
  labels: Record<string, string>
  events: PairEvents
  /** The seat roles' own agents (`seats.<role>`); other seats run the run's. */
  seatAgents: ReadonlyMap<string, SeatAgentOf>
  /** A new host folder owned by the pair (a seat's tool spool, when the backend mounts host folders). */
  openFolder(label: string): Promise<string>
  backend: { sharedFolders: boolean; isolation: string }
}

/** A seat's agent scope and sandbox, kept between its runs when its setting carries it into a later phase. */
export interface SeatPlace {
  scope: Scope
  sandbox: Sandbox
  /** What its patch is taken against. */
  baseCommit: string
  agent: Agent
  plan: SeatPlan
  logger: Logger
  bus: MessageBus | null
  /** The host folder its sandbox mounts for its tool spool; null: the spool is reached through the sandbox. */
  spool: string | null
}

/** One run of a seat: its first (in a fresh sandbox), or a later one in the place it kept (`carried`). */
export interface SeatRunOptions {
  /** The agents made together with it (a backend placing sandboxes together learns how many are coming). */
  members: readonly string[]
  carried?: { place: SeatPlace; previous: SeatOutcome }
}

/** How a seat's run ended, and the place a continuation runs in (a seat that keeps its sandbox). */
export interface SeatRunEnd {
  outcome: SeatOutcome
  place: SeatPlace | null
  /** Whether its agent continued the earlier run's conversation (a carried seat only). */
  continued?: boolean
}

/** What an agent takes from its scope, once, when the scope opens. */
const AGENT_NEEDS = { agent: Tokens.Agent, sandboxes: RunnerTokens.Sandboxes, logger: Tokens.Logger, bus: RunnerTokens.PairBus }

/**
 * One run of a seat in its own agent scope: the sandbox (started from earlier work, connected to the shared remote, prepared by the
 * setting), its tools served, the agent under the run's signal and wall clock, the patch, artifact, events, after-check and files.
 * Ending frees the scope and sandbox unless the seat keeps them. Any exception becomes an `Error` outcome; an interruption propagates.
 */
export async function runSeat(pair: SeatRun, given: Seat, signal: AbortSignal, options: SeatRunOptions): Promise<SeatRunEnd> {
  const own = given.role === undefined ? undefined : pair.seatAgents.get(given.role)
  const chosen = options.carried?.place.plan ?? own?.plan ?? seatPlanOf(pair.plan, undefined)
  const seat = seatAsTaken(given, chosen)
  // The trajectory file's header: the pair's task, the seat's own keys, the model.
  const header = {
    repo: pair.task.repo,
    task_id: pair.task.taskId,
    ...(seat.trajectoryHeader ?? { features: seat.featureIds, agent_id: seat.agentId }),
    model: chosen.recordedModel,
  } as TrajectoryHeader
  const recorder = createTrajectoryRecorder(join(pair.dir, seat.files.trajectory), header)
  const taken: Taken = { patch: '', source: 'none' }
  const continued = options.carried !== undefined && chosen.continues === true
  let result: AgentResult
  let place: SeatPlace | null = options.carried?.place ?? null
  let mailbox: Mailbox | null = null
  pair.events.agentStarted?.({ agentId: seat.agentId, featureIds: seat.featureIds })
  try {
    place ??= await openSeatPlace(pair, seat, chosen, own?.agent, signal, options.members)
    const { sandbox, logger } = place
    mailbox = seat.channel && place.bus ? await place.bus.open(seat.channel.namespace, seat.agentId, seat.peers ?? []) : null
    if (mailbox) {
      mailbox = reportingSends(mailbox, (message) => {
        pair.events.messageSent?.(message)
        void seatEvent(logger, seat, 'messageSent', () => seat.events?.messageSent?.(message))
      })
    }
    const served = await serveTools(sandbox, commandTools(seat), {
      agentId: seat.agentId,
      env: seat.coordination?.env ?? {},
      logger,
      signal,
      hostSpoolDir: place.spool,
      // A process-isolated sandbox (bubblewrap) shares the host's root, read-only: nothing to link there.
      linkCommands: pair.backend.isolation !== 'process',
    })
    try {
      await seatEvent(logger, seat, 'started', () => seat.events?.started?.({ agentId: seat.agentId, sandbox: served.agentSandbox, signal }))
      const { plan, task } = pair
      // What the agent gets for its run (`ctx`).
      const context: AgentRunContext = {
        agentId: seat.agentId,
        featureIds: seat.featureIds,
        instructions: seat.instructions,
        task,
        sandbox: served.agentSandbox,
        peers: seat.peers ?? [],
        mailbox,
        git: seat.git?.git ?? null,
        coordination: coordinationOf(seat.coordination),
        ...(continued ? { previous: options.carried!.previous.result } : {}),
        model: chosen.modelName,
        modelBaseUrl: plan.modelBaseUrl ?? null,
        backend: plan.backend,
        image: imageName(plan.imageTemplate, plan.imageNamespace, task.repo, task.taskId),
        options: chosen.agentOptions,
        limits: chosen.agentLimits,
        recorder,
        logger,
        signal,
      }
      result = await runWithinWallClock(place.agent, context, plan, chosen.agent, signal)
    } finally {
      await served.stop()
    }
    result = await takePatch(place, result, taken, pair, seat, signal)
    // The text of the file the seat submits (relative to the repository), or null when it is not there.
    if (seat.artifact !== undefined) {
      taken.artifact = await sandbox.readFile(`/workspace/repo/${seat.artifact}`).then(
        (bytes) => new TextDecoder().decode(bytes),
        () => null,
      )
    }
  } catch (error) {
    if (signal.aborted) {
      // No outcome for an interrupted agent: its journal stays as the trajectory so far.
      await recorder.close()
      await closeSeat(mailbox, place)
      throw error
    }
    // Outside the agent's own run: the sandbox, the backend, the harness's files.
    result = { ...emptyAgentResult('Error', errorMessage(error)), failure: 'infra' }
  }
  if (result.status !== 'Submitted' && result.failure === undefined) result = { ...result, failure: 'agent' }
  await recorder.finish(result)
  const outcome = await writeSeatFiles(pair.dir, seat, result, taken, chosen, own !== undefined)
  if (place) await afterRun(place, seat, outcome, signal)
  const kept = seat.keep === true && place !== null
  await closeSeat(mailbox, kept ? null : place)
  pair.events.agentFinished?.(agentReport(outcome))
  return { outcome, place: kept ? place : null, ...(options.carried ? { continued } : {}) }
}

/** The host's events of a seat that submitted, then its after-check, whose answer (or failure) is the outcome's `after`. */
async function afterRun(place: SeatPlace, seat: Seat, outcome: SeatOutcome, signal: AbortSignal): Promise<void> {
  if (outcome.result.status === 'Submitted') await seatEvent(place.logger, seat, 'submitted', () => seat.events?.submitted?.(outcome))
  if (seat.after) outcome.after = await seat.after(place.sandbox, outcome, signal).catch((error: unknown) => ({ error: errorMessage(error) }))
}

/** A setting's handler of a seat's event: its failure is logged, never the seat's. */
async function seatEvent(logger: Logger, seat: Seat, name: string, handle: () => Promise<void> | void): Promise<void> {
  try {
    await handle()
  } catch (error) {
    logger.warn(`${seat.agentId}: the setting's ${name} handler failed: ${errorMessage(error)}`)
  }
}

/** Later messages to this agent are reported back to their sender as unread; a seat not kept frees its scope and sandbox. */
export async function closeSeat(mailbox: Mailbox | null, place: SeatPlace | null): Promise<void> {
  await mailbox?.finish().catch(() => {})
  await mailbox?.close().catch(() => {})
  await Promise.resolve(place?.scope.dispose()).catch(() => {})
}

function commandTools(seat: Seat): CommandTool[] {
  return (seat.coordination?.tools ?? []).filter((tool): tool is CommandTool => tool.kind === 'command')
}

/** The seat's agent scope and fresh sandbox, started from earlier work and connected to the shared remote. */
async function openSeatPlace(
  pair: SeatRun,
  seat: Seat,
  plan: SeatPlan,
  ownAgent: Agent | undefined,
  signal: AbortSignal,
  members: readonly string[],
): Promise<SeatPlace> {
  const features = { agentId: seat.agentId, featureIds: seat.featureIds }
  const { scope, services } = await openScopeFor(pair.scope, 'agent', [[Tokens.AgentInScope, features]], AGENT_NEEDS)
  try {
    const spool = commandTools(seat).length > 0 && pair.backend.sharedFolders ? await pair.openFolder(`tools-${seat.agentId}`) : null
    const mounts = [
      ...(seat.git ? [seat.git.sharedDir] : []),
      ...(seat.coordination?.mounts ?? []),
      ...(spool ? [{ hostPath: spool, sandboxPath: TOOL_SPOOL_DIR, kind: 'folder' as const }] : []),
    ]
    // Owned by the agent scope, created within the harness's bound.
    const sandbox = await settledOrThrow(`backend ${pair.plan.backend}: creating the sandbox of ${seat.agentId}`, {
      run: (s, clock) =>
        services.sandboxes.create(pair.task, seat.agentId, pair.labels, s, {
          sharedDirs: mounts,
          group: { runId: pair.runId, members },
          clock,
          setupLayer: plan.setupLayer ?? null,
        }),
      timeoutMs: HARNESS_DEADLINES.createSandboxMs,
      graceMs: HARNESS_DEADLINES.graceMs,
      signal,
    })
    // The seat's patch is taken against the base: a task that names none has it at HEAD, which the earlier work moves.
    const baseCommit = pair.task.source.baseCommit ?? (seat.startFrom ? await headCommit(sandbox, signal) : 'HEAD')
    if (seat.startFrom) await startFromPatch(sandbox, seat, signal)
    if (seat.git) {
      const prefetch = !followsReferenceProtocol(plan.promptSource)
      await connectToGitRemote(sandbox, seat.git.git, seat.agentId, baseCommit, { prefetch, signal })
    }
    return { scope, sandbox, baseCommit, agent: ownAgent ?? services.agent, plan, logger: services.logger, bus: services.bus, spool }
  } catch (error) {
    await Promise.resolve(scope.dispose()).catch(() => {})
    throw error
  }
}

/** What the harness took from a seat's sandbox after its run. */
interface Taken {
  patch: string
  source: PatchSource
  /** The working-tree diff, when the agent submitted its own patch. */
  worktreePatch?: string
  artifact?: string | null
}

async function headCommit(sandbox: Sandbox, signal: AbortSignal): Promise<string> {
  const head = await sandbox.exec('cd /workspace/repo && git rev-parse HEAD', { timeoutMs: 60_000, signal })
  if (head.exitCode === 0 && /^[0-9a-f]{40}$/.test(head.stdout.trim())) return head.stdout.trim()
  throw new CooperbenchError('SANDBOX_FAILED', `the repository of the sandbox has no commit to start from: ${(head.stderr || head.stdout).trim().slice(-300)}`)
}

const START_PATCH = '/tmp/cooperbench-start.patch'

/** Applies an earlier seat's patch to the base commit and commits it, so the agent starts from that work. */
async function startFromPatch(sandbox: Sandbox, seat: Seat, signal: AbortSignal): Promise<void> {
  await sandbox.writeFile(START_PATCH, seat.startFrom!.patch)
  const git = 'git -c core.hooksPath=/dev/null -c user.email=agent@cooperbench.local -c user.name=cooperbench'
  const script = [
    'set -e',
    'cd /workspace/repo',
    `git apply --binary --whitespace=nowarn ${START_PATCH}`,
    `rm -f ${START_PATCH}`,
    'git add -A',
    `${git} commit -q --allow-empty -m "earlier seats' work"`,
  ].join('\n')
  const applied = await sandbox.exec(script, { timeoutMs: 120_000, signal })
  if (applied.exitCode !== 0) {
    throw new CooperbenchError(
      'SANDBOX_FAILED',
      `could not start ${seat.agentId} from the earlier work: ${(applied.stderr || applied.stdout).trim().slice(-500)}`,
      {
        hint: 'The earlier patch must apply to the base commit; its pair folder holds it.',
      },
    )
  }
}

/** A seat's coordination surface as its agent gets it (`ctx.coordination`). */
export function coordinationOf(own: SeatCoordination = {}): Coordination {
  const tools = own.tools ?? []
  return {
    briefing: own.briefing ?? { sections: [], upstream: null },
    tools,
    commandDir: tools.some((tool) => tool.kind === 'command') ? SEAT_COMMAND_DIR : null,
    status: own.status ? () => own.status!() : null,
    waitForMessages: own.waitForMessages ?? null,
  }
}

/** An agent ignoring its signal is left behind after the grace period; an interruption rethrows, a deadline or error becomes the result. */
async function runWithinWallClock(agent: Agent, context: AgentRunContext, plan: RunPlan, name: string, signal: AbortSignal): Promise<AgentResult> {
  const limitMs = agentDeadlineMs(plan)
  const ran = await supervise({ run: (s) => agent.run({ ...context, signal: s }), timeoutMs: limitMs, graceMs: HARNESS_DEADLINES.graceMs, signal })
  if (signal.aborted) throw signal.reason ?? new Error('interrupted')
  const limitText = `wall-clock limit of ${limitMs / 1000} s reached`
  if (ran.kind === 'fulfilled') return ran.value
  if (ran.kind === 'rejected')
    return ran.aborted === 'deadline'
      ? emptyAgentResult('LimitsExceeded', limitText)
      : { ...emptyAgentResult('Error', errorMessage(ran.error)), failure: failureOf(ran.error) }
  return emptyAgentResult('LimitsExceeded', `${limitText}; agent ${name} ignored the abort for ${HARNESS_DEADLINES.graceMs / 1000} s and was abandoned`)
}

/** Takes the seat's patch into `taken` (the agent's own submission, or the working-tree diff); the result with a note when it was too large. */
async function takePatch(place: SeatPlace, result: AgentResult, taken: Taken, pair: SeatRun, seat: Seat, signal: AbortSignal): Promise<AgentResult> {
  const { task } = pair
  const diff = await settledOrThrow(`backend ${pair.plan.backend}: taking the patch of ${seat.agentId}`, {
    run: () => extractPatch(place.sandbox, place.baseCommit),
    timeoutMs: HARNESS_DEADLINES.extractPatchMs,
    graceMs: 0,
    signal,
  })
  taken.patch = diff.patch
  taken.source = diff.source
  if (result.submittedPatch !== undefined) {
    // The submission is judged (the reference's patch.txt protocol); beside it only a tree diff (extractPatch's patch.txt fallback is the submission).
    taken.worktreePatch = diff.source === 'harness_diff' ? diff.patch : ''
    // An adapter's own diff is written as it returned it (upstream's runner writes `result["patch"]` as is; evaluation ends it).
    taken.patch = result.submittedPatchSource === 'adapter_diff' ? result.submittedPatch : normalizeSubmittedPatch(result.submittedPatch)
    // Where the agent took it from: its patch file, or (0.0.12–0.0.13's protocol) the text after the submit marker.
    taken.source = taken.patch === '' ? 'none' : (result.submittedPatchSource ?? 'agent_patch_file')
  }
  if (diff.refusedBytes === undefined) return result
  const note = `the patch of ${diff.refusedBytes} bytes exceeds the harness's limit of ${MAX_PATCH_BYTES} bytes and was recorded empty`
  place.logger.warn(`${seat.agentId} of ${task.repo}/task${task.taskId}: ${note}`)
  return { ...result, error: result.error === null ? note : `${result.error}; ${note}` }
}

/** Writes the seat's patch (and the working-tree diff, the artifact) into the pair folder and makes its outcome. */
async function writeSeatFiles(dir: string, seat: Seat, result: AgentResult, taken: Taken, plan: SeatPlan, ownAgent: boolean): Promise<SeatOutcome> {
  await writeFileAtomic(join(dir, seat.files.patch), taken.patch)
  if (taken.worktreePatch !== undefined) await writeFileAtomic(join(dir, seat.files.worktreePatch), taken.worktreePatch)
  if (seat.files.artifact !== undefined && typeof taken.artifact === 'string') await writeFileAtomic(join(dir, seat.files.artifact), taken.artifact)
  const outcome = { agentId: seat.agentId, featureIds: seat.featureIds, result, patch: taken.patch, patchSource: taken.source }
  const record = agentRecord({ ...outcome, worktreePatch: taken.worktreePatch })
  return {
    ...outcome,
    agent: plan.agent,
    model: plan.recordedModel,
    // A seat of a role with its own agent or model says which: the pair's `agent_framework` and `model` are the run's.
    record: ownAgent ? { ...record, agent_framework: plan.agent, model: plan.recordedModel } : record,
    ...(seat.artifact === undefined ? {} : { artifact: taken.artifact ?? null }),
  }
}

/** Errors of sandboxes, backends and the file system are infrastructure; anything else the agent's. */
function failureOf(error: unknown): FailureOrigin {
  return isCooperbenchError(error) && INFRA_CODES.has(error.code) ? 'infra' : 'agent'
}

const INFRA_CODES = new Set(['SANDBOX_FAILED', 'BACKEND_UNAVAILABLE', 'FILESYSTEM', 'TASK_UNSUPPORTED'])
