import type { Agent, AgentResult, AgentRunContext, FailureOrigin, Logger, Sandbox, PatchSource, SandboxTeam } from '@cooperbench/spec'
import { errorMessage, isCooperbenchError } from '@cooperbench/spec'
import { emptyAgentResult } from '@cooperbench/spec-utils'
import { openScopeFor, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import { normalizeSubmittedPatch } from '@cooperbench/spec-utils/patch'
import { extractPatch, MAX_PATCH_BYTES } from './extract-patch.js'
import { RunnerTokens } from './scope-services.js'
import type { OwnedSandboxes } from './services.js'
import { connectAgentToTeamRemote, followsReferenceProtocol, type TeamRemote } from './team-remote.js'
import { imageName } from '@cooperbench/spec-utils/images'
import type { RunPlan } from './plan.js'
import { createTrajectoryRecorder, type HarnessTrajectoryRecorder } from './trajectory.js'
import { agentDeadlineMs, HARNESS_DEADLINES, settledOrThrow } from './deadlines.js'
import { supervise } from '../util/supervise.js'
import type { TeamSeatSetup } from './team/team-session.js'

export interface AgentOutcome {
  agentId: string
  featureIds: number[]
  result: AgentResult
  patch: string
  patchSource: PatchSource
  /** The working-tree diff, when the agent submitted its own patch (`AgentResult.submittedPatch`) and it is not evaluated. */
  worktreePatch?: string
}

/** One agent's run: what its `AgentRunContext` is made of, and where its trajectory and sandbox go. */
export interface AgentJob extends Pick<AgentRunContext, 'setting' | 'agentId' | 'featureIds' | 'instructions' | 'task' | 'peers' | 'mailbox'> {
  trajectoryPath: string
  trajectoryHeader: Parameters<typeof createTrajectoryRecorder>[1]
  labels: Record<string, string>
  /** The pair's agents, told to the backend with the sandbox (`SandboxSpec.team`). */
  sandboxTeam: SandboxTeam
  /** The pair's shared git remote (`--git`), or null. */
  team: TeamRemote | null
  /** In the team setting: the agent's `ctx.team`, the scratchpad and the task commands for its sandbox. */
  teamSeat?: TeamSeatSetup | null
}

/** What an agent takes from its scope, once, when the scope opens. */
const AGENT_NEEDS = { agent: Tokens.Agent, sandboxes: RunnerTokens.Sandboxes, logger: Tokens.Logger }

/**
 * One agent from sandbox to patch, in its own agent scope (a child of the pair scope): create
 * its sandbox there, run the scope's agent under the run's signal and the wall-clock limit,
 * take the patch, close the scope (which frees the sandbox). Any exception becomes a result
 * with status `Error`; an interruption propagates so no result.json is written.
 */
export async function runAgentJob(pair: { scope: Scope; plan: RunPlan }, job: AgentJob, signal: AbortSignal): Promise<AgentOutcome> {
  const { plan } = pair
  const recorder = createTrajectoryRecorder(job.trajectoryPath, job.trajectoryHeader)
  let result: AgentResult
  let patch = ''
  let patchSource: PatchSource = 'none'
  let worktreePatch: string | undefined
  let scope: Scope | null = null
  try {
    const opened = await openScopeFor(pair.scope, 'agent', [[Tokens.AgentInScope, { agentId: job.agentId, featureIds: job.featureIds }]], AGENT_NEEDS)
    scope = opened.scope
    const { agent, sandboxes, logger } = opened.services
    const sandbox = await createAgentSandbox(sandboxes, plan, job, signal)
    const baseCommit = job.task.source.baseCommit ?? 'HEAD'
    if (job.team) await connectAgentToTeamRemote(sandbox, job.agentId, baseCommit, { prefetch: !followsReferenceProtocol(plan.promptSource), signal })
    // The team's task commands are answered while the agent runs, and once more when it ends.
    const served = job.teamSeat?.prepareSandbox ? await job.teamSeat.prepareSandbox(sandbox, signal) : null
    try {
      result = await runWithinWallClock(agent, agentContext(logger, plan, job, served?.agentSandbox ?? sandbox, recorder, signal), plan, signal)
    } finally {
      await served?.stop()
    }
    const extracted = await supervise({ run: () => extractPatch(sandbox, baseCommit), timeoutMs: HARNESS_DEADLINES.extractPatchMs, graceMs: 0, signal })
    const taken = settledOrThrow(extracted, `backend ${plan.backend}: taking the patch of ${job.agentId}`, HARNESS_DEADLINES.extractPatchMs, signal)
    ;({ patch, source: patchSource } = taken)
    if (result.submittedPatch !== undefined) {
      // The agent's own submission is evaluated (the reference's patch.txt protocol); the diff stays beside it.
      // Only a working-tree diff: extractPatch's fallback to patch.txt is the submission itself, not the tree.
      worktreePatch = patchSource === 'harness_diff' ? patch : ''
      ;({ patch, source: patchSource } = submittedPatchOf(result.submittedPatch))
    }
    if (taken.refusedBytes !== undefined) {
      const note = `the patch of ${taken.refusedBytes} bytes exceeds the harness's limit of ${MAX_PATCH_BYTES} bytes and was recorded empty`
      logger.warn(`${job.agentId} of ${job.task.repo}/task${job.task.taskId}: ${note}`)
      result = { ...result, error: result.error === null ? note : `${result.error}; ${note}` }
    }
  } catch (error) {
    if (signal.aborted) {
      // No result for an interrupted agent: its journal stays as the trajectory so far.
      await recorder.close()
      throw error
    }
    // Outside the agent's own run: the sandbox, the backend, the harness's files.
    result = { ...emptyAgentResult('Error', errorMessage(error)), failure: 'infra' }
  } finally {
    // Closing the agent scope terminates its sandbox.
    await Promise.resolve(scope?.dispose()).catch(() => {})
  }
  if (result.status !== 'Submitted' && result.failure === undefined) result = { ...result, failure: 'agent' }
  await recorder.finish(result)
  return { agentId: job.agentId, featureIds: job.featureIds, result, patch, patchSource, ...(worktreePatch === undefined ? {} : { worktreePatch }) }
}

/** The agent's sandbox, owned by its agent scope, created within the harness's bound. */
async function createAgentSandbox(sandboxes: OwnedSandboxes, plan: RunPlan, job: AgentJob, signal: AbortSignal): Promise<Sandbox> {
  const created = await supervise({
    run: (s, clock) =>
      sandboxes.create(job.task, job.agentId, job.labels, s, {
        sharedDirs: [...(job.team ? [job.team.sharedDir] : []), ...(job.teamSeat?.sharedDirs ?? [])],
        team: job.sandboxTeam,
        clock,
      }),
    timeoutMs: HARNESS_DEADLINES.createSandboxMs,
    graceMs: HARNESS_DEADLINES.graceMs,
    signal,
  })
  return settledOrThrow(created, `backend ${plan.backend}: creating the sandbox of ${job.agentId}`, HARNESS_DEADLINES.createSandboxMs, signal)
}

/** What the agent gets for its run (`ctx`). */
function agentContext(
  logger: Logger,
  plan: RunPlan,
  job: AgentJob,
  sandbox: Sandbox,
  recorder: HarnessTrajectoryRecorder,
  signal: AbortSignal,
): AgentRunContext {
  return {
    setting: job.setting,
    agentId: job.agentId,
    featureIds: job.featureIds,
    instructions: job.instructions,
    task: job.task,
    sandbox,
    peers: job.peers,
    mailbox: job.mailbox,
    git: job.team?.git ?? null,
    ...(job.teamSeat ? { team: job.teamSeat.team } : {}),
    model: plan.modelName,
    modelBaseUrl: plan.modelBaseUrl ?? null,
    backend: plan.backend,
    image: imageName(plan.imageTemplate, plan.imageNamespace, job.task.repo, job.task.taskId),
    options: plan.agentOptions,
    limits: plan.agentLimits,
    recorder,
    logger,
    signal,
  }
}

/**
 * The agent's run under the harness's own wall clock: an agent that ignores its signal is left
 * behind after the grace period, its sandbox terminated with the agent scope. An interruption
 * rethrows; a deadline or an error becomes the result.
 */
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

/** An agent-submitted patch as stored: upstream 0.0.16's normalisation (newlines trimmed, one final newline). */
function submittedPatchOf(text: string): { patch: string; source: PatchSource } {
  const patch = normalizeSubmittedPatch(text)
  return patch === '' ? { patch: '', source: 'none' } : { patch, source: 'agent_patch_file' }
}

/** Errors of sandboxes, backends and the file system are infrastructure; anything else the agent's. */
function failureOf(error: unknown): FailureOrigin {
  const code = isCooperbenchError(error) ? (error as { code: string }).code : null
  return code !== null && INFRA_CODES.has(code) ? 'infra' : 'agent'
}

const INFRA_CODES = new Set(['SANDBOX_FAILED', 'BACKEND_UNAVAILABLE', 'FILESYSTEM', 'TASK_UNSUPPORTED'])
