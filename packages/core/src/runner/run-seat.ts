import { join } from 'node:path'
import type { Agent, AgentResult, AgentRunContext, FailureOrigin, Mailbox, PatchSource, Sandbox, Seat, SeatOutcome, Task } from '@cooperbench/spec'
import { CooperbenchError, errorMessage, isCooperbenchError } from '@cooperbench/spec'
import { emptyAgentResult } from '@cooperbench/spec-utils'
import { imageName } from '@cooperbench/spec-utils/images'
import { normalizeSubmittedPatch } from '@cooperbench/spec-utils/patch'
import { openScopeFor, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import { writeFileAtomic } from '@cooperbench/results'
import { supervise } from '../util/supervise.js'
import { agentDeadlineMs, HARNESS_DEADLINES, settledOrThrow } from './deadlines.js'
import type { PairEvents } from './events.js'
import { extractPatch, MAX_PATCH_BYTES } from './extract-patch.js'
import { connectToGitRemote, followsReferenceProtocol } from './git-remote.js'
import { agentRecord, agentReport } from './pair-records.js'
import { recordedModelOf, type RunPlan } from './plan.js'
import { reportingSends } from './reporting-mailbox.js'
import { RunnerTokens } from './scope-services.js'
import type { OwnedSandboxes } from './services.js'
import { createTrajectoryRecorder, type HarnessTrajectoryRecorder } from './trajectory.js'

/** What a seat's run needs of its pair: the pair scope, the plan, the folder and who runs beside it. */
export interface SeatRun {
  scope: Scope
  plan: RunPlan
  task: Task
  dir: string
  runId: string
  /** The agents whose sandboxes are made together with this one (the seats run at once). */
  members: readonly string[]
  labels: Record<string, string>
  events: PairEvents
}

/** What an agent takes from its scope, once, when the scope opens. */
const AGENT_NEEDS = { agent: Tokens.Agent, sandboxes: RunnerTokens.Sandboxes, logger: Tokens.Logger, bus: RunnerTokens.PairBus }

/**
 * One seat in its own agent scope: the sandbox (started from earlier work, connected to the shared remote, prepared by the setting),
 * the agent under the run's signal and wall clock, the patch, artifact, after-check and files; closing the scope frees the sandbox.
 * Any exception becomes an `Error` outcome; an interruption propagates.
 */
export async function runSeat(pair: SeatRun, seat: Seat, signal: AbortSignal): Promise<SeatOutcome> {
  const { plan, dir, task } = pair
  const recorder = createTrajectoryRecorder(join(dir, seat.files.trajectory), trajectoryHeaderOf(pair, seat))
  const taken: Taken = { patch: '', source: 'none' }
  let result: AgentResult
  let scope: Scope | null = null
  let mailbox: Mailbox | null = null
  pair.events.agentStarted?.({ agentId: seat.agentId, featureIds: seat.featureIds })
  try {
    const opened = await openScopeFor(pair.scope, 'agent', [[Tokens.AgentInScope, { agentId: seat.agentId, featureIds: seat.featureIds }]], AGENT_NEEDS)
    scope = opened.scope
    const { agent, sandboxes, logger, bus } = opened.services
    mailbox = seat.channel && bus ? await bus.open(seat.channel.namespace, seat.agentId, seat.peers ?? []) : null
    if (mailbox && pair.events.messageSent) mailbox = reportingSends(mailbox, pair.events.messageSent)
    const sandbox = await createSeatSandbox(sandboxes, pair, seat, signal)
    // The seat's patch is taken against the base: a task that names none has it at HEAD, which the earlier work moves.
    const baseCommit = task.source.baseCommit ?? (seat.startFrom ? await headCommit(sandbox, signal) : 'HEAD')
    if (seat.startFrom) await startFromPatch(sandbox, seat, signal)
    if (seat.git) {
      const prefetch = !followsReferenceProtocol(plan.promptSource)
      await connectToGitRemote(sandbox, seat.git.git, seat.agentId, baseCommit, { prefetch, signal })
    }
    const prepared = seat.prepare ? await seat.prepare(sandbox, signal) : null
    try {
      const context = agentContext(logger, plan, task, seat, prepared?.agentSandbox ?? sandbox, mailbox, recorder, signal)
      result = await runWithinWallClock(agent, context, plan, signal)
    } finally {
      await prepared?.stop()
    }
    result = await takePatch(sandbox, baseCommit, result, taken, pair, seat, logger, signal)
    if (seat.artifact !== undefined) taken.artifact = await readArtifact(sandbox, seat.artifact)
    if (seat.after) taken.after = await seat.after(sandbox, signal).catch((error: unknown) => ({ error: errorMessage(error) }))
  } catch (error) {
    if (signal.aborted) {
      // No outcome for an interrupted agent: its journal stays as the trajectory so far.
      await recorder.close()
      throw error
    }
    // Outside the agent's own run: the sandbox, the backend, the harness's files.
    result = { ...emptyAgentResult('Error', errorMessage(error)), failure: 'infra' }
  } finally {
    // Later messages to this agent are reported back to their sender as unread.
    await mailbox?.finish().catch(() => {})
    await mailbox?.close().catch(() => {})
    await Promise.resolve(scope?.dispose()).catch(() => {})
  }
  if (result.status !== 'Submitted' && result.failure === undefined) result = { ...result, failure: 'agent' }
  await recorder.finish(result)
  const outcome = await writeSeatFiles(dir, seat, result, taken)
  pair.events.agentFinished?.(agentReport(outcome))
  return outcome
}

/** What the harness took from a seat's sandbox after its run. */
interface Taken {
  patch: string
  source: PatchSource
  /** The working-tree diff, when the agent submitted its own patch. */
  worktreePatch?: string
  artifact?: string | null
  after?: unknown
}

/** The trajectory file's header: the pair's task, the seat's own keys, the model. */
function trajectoryHeaderOf(pair: SeatRun, seat: Seat) {
  const own = seat.trajectoryHeader ?? { features: seat.featureIds, agent_id: seat.agentId }
  return { repo: pair.task.repo, task_id: pair.task.taskId, ...own, model: recordedModelOf(pair.plan) } as Parameters<typeof createTrajectoryRecorder>[1]
}

/** The seat's sandbox, owned by its agent scope, created within the harness's bound. */
async function createSeatSandbox(sandboxes: OwnedSandboxes, pair: SeatRun, seat: Seat, signal: AbortSignal): Promise<Sandbox> {
  const created = await supervise({
    run: (s, clock) =>
      sandboxes.create(pair.task, seat.agentId, pair.labels, s, {
        sharedDirs: [...(seat.git ? [seat.git.sharedDir] : []), ...(seat.sharedDirs ?? [])],
        group: { runId: pair.runId, members: pair.members },
        clock,
      }),
    timeoutMs: HARNESS_DEADLINES.createSandboxMs,
    graceMs: HARNESS_DEADLINES.graceMs,
    signal,
  })
  return settledOrThrow(created, `backend ${pair.plan.backend}: creating the sandbox of ${seat.agentId}`, HARNESS_DEADLINES.createSandboxMs, signal)
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

/** What the agent gets for its run (`ctx`). */
function agentContext(
  logger: AgentRunContext['logger'],
  plan: RunPlan,
  task: Task,
  seat: Seat,
  sandbox: Sandbox,
  mailbox: Mailbox | null,
  recorder: HarnessTrajectoryRecorder,
  signal: AbortSignal,
): AgentRunContext {
  return {
    setting: seat.framing,
    agentId: seat.agentId,
    featureIds: seat.featureIds,
    instructions: seat.instructions,
    task,
    sandbox,
    peers: seat.peers ?? [],
    mailbox,
    git: seat.git?.git ?? null,
    ...(seat.team ? { team: seat.team } : {}),
    model: plan.modelName,
    modelBaseUrl: plan.modelBaseUrl ?? null,
    backend: plan.backend,
    image: imageName(plan.imageTemplate, plan.imageNamespace, task.repo, task.taskId),
    options: plan.agentOptions,
    limits: plan.agentLimits,
    recorder,
    logger,
    signal,
  }
}

/** An agent ignoring its signal is left behind after the grace period; an interruption rethrows, a deadline or error becomes the result. */
async function runWithinWallClock(agent: Agent, context: AgentRunContext, plan: RunPlan, signal: AbortSignal): Promise<AgentResult> {
  const limitMs = agentDeadlineMs(plan)
  const ran = await supervise({ run: (s) => agent.run({ ...context, signal: s }), timeoutMs: limitMs, graceMs: HARNESS_DEADLINES.graceMs, signal })
  if (signal.aborted) throw signal.reason ?? new Error('interrupted')
  const limitText = `wall-clock limit of ${limitMs / 1000} s reached`
  if (ran.kind === 'fulfilled') return ran.value
  if (ran.kind === 'rejected')
    return ran.aborted === 'deadline'
      ? emptyAgentResult('LimitsExceeded', limitText)
      : { ...emptyAgentResult('Error', errorMessage(ran.error)), failure: failureOf(ran.error) }
  return emptyAgentResult('LimitsExceeded', `${limitText}; agent ${plan.agent} ignored the abort for ${HARNESS_DEADLINES.graceMs / 1000} s and was abandoned`)
}

/** Takes the seat's patch into `taken` (the agent's own submission, or the working-tree diff); the result with a note when it was too large. */
async function takePatch(
  sandbox: Sandbox,
  baseCommit: string,
  result: AgentResult,
  taken: Taken,
  pair: SeatRun,
  seat: Seat,
  logger: AgentRunContext['logger'],
  signal: AbortSignal,
): Promise<AgentResult> {
  const { plan, task } = pair
  const extracted = await supervise({ run: () => extractPatch(sandbox, baseCommit), timeoutMs: HARNESS_DEADLINES.extractPatchMs, graceMs: 0, signal })
  const diff = settledOrThrow(extracted, `backend ${plan.backend}: taking the patch of ${seat.agentId}`, HARNESS_DEADLINES.extractPatchMs, signal)
  taken.patch = diff.patch
  taken.source = diff.source
  if (result.submittedPatch !== undefined) {
    // The submission is judged (the reference's patch.txt protocol); beside it only a tree diff (extractPatch's patch.txt fallback is the submission).
    taken.worktreePatch = diff.source === 'harness_diff' ? diff.patch : ''
    taken.patch = normalizeSubmittedPatch(result.submittedPatch)
    // Where the agent took it from: its patch file, or (0.0.12–0.0.13's protocol) the text after the submit marker.
    taken.source = taken.patch === '' ? 'none' : (result.submittedPatchSource ?? 'agent_patch_file')
  }
  if (diff.refusedBytes === undefined) return result
  const note = `the patch of ${diff.refusedBytes} bytes exceeds the harness's limit of ${MAX_PATCH_BYTES} bytes and was recorded empty`
  logger.warn(`${seat.agentId} of ${task.repo}/task${task.taskId}: ${note}`)
  return { ...result, error: result.error === null ? note : `${result.error}; ${note}` }
}

/** The text of the file the seat submits (relative to the repository), or null when it is not there. */
async function readArtifact(sandbox: Sandbox, path: string): Promise<string | null> {
  const bytes = await sandbox.readFile(`/workspace/repo/${path}`).catch(() => null)
  return bytes === null ? null : new TextDecoder().decode(bytes)
}

/** Writes the seat's patch (and the working-tree diff, the artifact) into the pair folder and makes its outcome. */
async function writeSeatFiles(dir: string, seat: Seat, result: AgentResult, taken: Taken): Promise<SeatOutcome> {
  await writeFileAtomic(join(dir, seat.files.patch), taken.patch)
  if (taken.worktreePatch !== undefined) await writeFileAtomic(join(dir, seat.files.worktreePatch), taken.worktreePatch)
  if (seat.files.artifact !== undefined && typeof taken.artifact === 'string') await writeFileAtomic(join(dir, seat.files.artifact), taken.artifact)
  const outcome = { agentId: seat.agentId, featureIds: seat.featureIds, result, patch: taken.patch, patchSource: taken.source }
  return {
    ...outcome,
    record: agentRecord({ ...outcome, ...(taken.worktreePatch === undefined ? {} : { worktreePatch: taken.worktreePatch }) }),
    ...(seat.artifact === undefined ? {} : { artifact: taken.artifact ?? null }),
    ...(seat.after === undefined ? {} : { after: taken.after }),
  }
}

/** Errors of sandboxes, backends and the file system are infrastructure; anything else the agent's. */
function failureOf(error: unknown): FailureOrigin {
  return isCooperbenchError(error) && INFRA_CODES.has(error.code) ? 'infra' : 'agent'
}

const INFRA_CODES = new Set(['SANDBOX_FAILED', 'BACKEND_UNAVAILABLE', 'FILESYSTEM', 'TASK_UNSUPPORTED'])
