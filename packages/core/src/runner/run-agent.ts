import type { AgentResult, AgentRunContext } from '../contracts/agent.js'
import { emptyAgentResult } from '../contracts/agent.js'
import type { Mailbox } from '../contracts/bus.js'
import type { PatchSource } from '../contracts/records.js'
import type { Setting, Task } from '../contracts/task.js'
import { errorMessage } from '../errors.js'
import { openScope, resolveService, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import { extractPatch } from './extract-patch.js'
import { createOwnedSandbox } from './services.js'
import { connectAgentToTeamRemote, type TeamRemote } from './team-remote.js'
import { createTrajectoryRecorder } from './trajectory.js'

export interface AgentOutcome {
  agentId: string
  featureIds: number[]
  result: AgentResult
  patch: string
  patchSource: PatchSource
}

export interface AgentJob {
  setting: Setting
  agentId: string
  featureIds: number[]
  instructions: string
  task: Task
  peers: string[]
  mailbox: Mailbox | null
  trajectoryPath: string
  trajectoryHeader: Parameters<typeof createTrajectoryRecorder>[1]
  labels: Record<string, string>
  /** The pair's shared git remote (`--git`), or null. */
  team: TeamRemote | null
}

/**
 * One agent from sandbox to patch, in its own agent scope (a child of the pair scope): create
 * its sandbox there, run the scope's agent under the run's signal and the wall-clock limit,
 * take the patch, close the scope (which frees the sandbox). Any exception becomes a result
 * with status `Error`; an interruption propagates so no result.json is written.
 */
export async function runAgentJob(pairScope: Scope, job: AgentJob, signal: AbortSignal): Promise<AgentOutcome> {
  const plan = resolveService(pairScope, Tokens.Plan)
  const recorder = createTrajectoryRecorder(job.trajectoryPath, job.trajectoryHeader)
  const limit = plan.agentTimeoutMs === null ? null : AbortSignal.timeout(plan.agentTimeoutMs)
  const agentSignal = limit ? AbortSignal.any([signal, limit]) : signal
  let result: AgentResult
  let patch = ''
  let patchSource: PatchSource = 'none'
  let scope: Scope | null = null
  try {
    scope = await openScope(pairScope, 'agent', [[Tokens.AgentInScope, { agentId: job.agentId, featureIds: job.featureIds }]])
    const agent = resolveService(scope, Tokens.Agent)
    const sandbox = await createOwnedSandbox(scope, job.task, job.agentId, job.labels, signal, job.team ? [job.team.sharedDir] : [])
    const baseCommit = job.task.source.baseCommit ?? 'HEAD'
    if (job.team) await connectAgentToTeamRemote(sandbox, job.agentId, baseCommit, signal)
    const context: AgentRunContext = {
      setting: job.setting,
      agentId: job.agentId,
      featureIds: job.featureIds,
      instructions: job.instructions,
      task: job.task,
      sandbox,
      peers: job.peers,
      mailbox: job.mailbox,
      git: job.team?.git ?? null,
      model: plan.model,
      modelBaseUrl: plan.modelBaseUrl ?? null,
      options: plan.agentOptions,
      recorder,
      logger: resolveService(scope, Tokens.Logger),
      signal: agentSignal,
    }
    try {
      result = await agent.run(context)
    } catch (error) {
      if (signal.aborted) throw error
      result = limit?.aborted
        ? emptyAgentResult('LimitsExceeded', `wall-clock limit of ${plan.agentTimeoutMs! / 1000} s reached`)
        : emptyAgentResult('Error', errorMessage(error))
    }
    if (signal.aborted) throw signal.reason ?? new Error('interrupted')
    ;({ patch, source: patchSource } = await extractPatch(sandbox, baseCommit))
  } catch (error) {
    if (signal.aborted) throw error
    result = emptyAgentResult('Error', errorMessage(error))
  } finally {
    // Closing the agent scope terminates its sandbox.
    await Promise.resolve(scope?.dispose()).catch(() => {})
  }
  await recorder.finish(result)
  return { agentId: job.agentId, featureIds: job.featureIds, result, patch, patchSource }
}
