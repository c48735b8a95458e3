import { rm } from 'node:fs/promises'
import { join, relative, isAbsolute } from 'node:path'
import type { ConversationEntry, CoopAgentRecord, CoopResultRecord, ResultRecord, SoloResultRecord } from '@cooperbench/spec'
import { SANDBOX_LABELS } from '@cooperbench/spec'
import type { Pair } from '@cooperbench/spec'
import { readFeatureSpec, soloInstructions } from '../dataset/index.js'
import { lifetimeOf, openScope, resolveService, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import { PairFiles, pairDir } from '../results/layout.js'
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js'
import { newRunId } from '../util/random-id.js'
import { timesSince } from '../util/time.js'
import { hasUnknownCost } from '../results/unknown-cost.js'
import type { AgentReport, PairEvents } from './events.js'
import { countPatchLines } from './extract-patch.js'
import { reportingSends } from './reporting-mailbox.js'
import { type AgentOutcome, runAgentJob } from './run-agent.js'
import { notifySinks } from './services.js'
import { supervisedBus } from './supervised-bus.js'
import { createTeamRemote } from './team-remote.js'
import { recordedModelOf } from './plan.js'

/**
 * Runs one pair (team) in its own scope, a child of `runScope`, and writes its files;
 * result.json last, so its presence means the pair finished. Throws (writing no result.json)
 * when the run is interrupted.
 */
export async function runPair(runScope: Scope, pair: Pair, signal: AbortSignal, events: PairEvents = {}): Promise<ResultRecord> {
  const plan = resolveService(runScope, Tokens.Plan)
  const dir = pairDir(plan.logDir, plan.runName, plan.setting, pair.task.repo, pair.task.taskId, pair.features)
  // A rerun invalidates the previous evaluation; result.json is replaced only at the end.
  await rm(join(dir, PairFiles.eval), { force: true })
  const runId = newRunId()
  const startedAt = new Date()
  const scope = await openScope(runScope, 'pair', [[Tokens.Pair, { pair, dir, runId }]])
  // Wrapped here, after plugins' services: a bus replaced or wrapped by a plugin is bounded too.
  const bus = scope.isRegistered(Tokens.Bus, true) ? supervisedBus(resolveService(scope, Tokens.Bus), plan.bus) : null
  const written = async (record: ResultRecord): Promise<ResultRecord> => {
    await writeJsonAtomic(join(dir, PairFiles.result), record)
    await notifySinks(scope, (sink) => sink.resultWritten, { dir, record })
    return record
  }
  try {
    const base = {
      repo: pair.task.repo,
      task_id: pair.task.taskId,
      features: pair.features,
      run_id: runId,
      run_name: plan.runName,
      agent_framework: plan.agent,
      model: recordedModelOf(plan),
      ...(plan.promptSource === undefined ? {} : { prompt_source: plan.promptSource }),
    }
    const labels = { [SANDBOX_LABELS.runId]: runId, [SANDBOX_LABELS.pair]: `${pair.task.repo}/${pair.task.taskId}/${pair.features.join(',')}` }
    const common = {
      log_dir: displayPath(dir),
      base_commit: pair.task.source.baseCommit,
      config_hash: plan.fingerprint.hash,
      backend: plan.backend,
    }
    if (plan.setting === 'solo') {
      const texts = await Promise.all(pair.features.map(async (id) => ({ id, text: await readFeatureSpec(pair.task, id) })))
      events.agentStarted?.({ agentId: 'solo', featureIds: pair.features })
      const outcome = await runAgentJob(
        scope,
        {
          setting: 'solo',
          agentId: 'solo',
          featureIds: pair.features,
          instructions: soloInstructions(texts),
          task: pair.task,
          peers: [],
          mailbox: null,
          trajectoryPath: join(dir, PairFiles.soloTrajectory),
          trajectoryHeader: { repo: base.repo, task_id: base.task_id, features: pair.features, agent_id: 'solo', model: recordedModelOf(plan) },
          labels,
          team: null,
        },
        signal,
      )
      events.agentFinished?.(agentReport(outcome))
      await writeFileAtomic(join(dir, PairFiles.soloPatch), outcome.patch)
      if (outcome.worktreePatch !== undefined) await writeFileAtomic(join(dir, PairFiles.soloWorktreePatch), outcome.worktreePatch)
      const record: SoloResultRecord = {
        ...base,
        setting: 'solo',
        ...timesSince(startedAt),
        agent: agentRecord(outcome),
        total_cost: outcome.result.cost,
        total_steps: outcome.result.steps,
        ...common,
        messaging_enabled: false,
        git_enabled: false,
      }
      return await written(record)
    }

    const agentIds = pair.features.map((_, i) => `agent${i + 1}`)
    const namespace = `run:${runId}`
    const messaging = plan.messaging && bus !== null && agentIds.length >= 2
    const team = plan.git ? await createTeamRemote(lifetimeOf(scope)) : null
    try {
      const outcomes = await allSettledOrThrow(
        pair.features.map(async (featureId, i) => {
          const agentId = agentIds[i]!
          const peers = agentIds.filter((id) => id !== agentId)
          const opened = messaging ? await bus!.open(namespace, agentId, peers) : null
          const mailbox = opened && events.messageSent ? reportingSends(opened, events.messageSent) : opened
          events.agentStarted?.({ agentId, featureIds: [featureId] })
          try {
            const outcome = await runAgentJob(
              scope,
              {
                setting: 'coop',
                agentId,
                featureIds: [featureId],
                instructions: await readFeatureSpec(pair.task, featureId),
                task: pair.task,
                peers,
                mailbox,
                trajectoryPath: join(dir, PairFiles.agentTrajectory(featureId)),
                trajectoryHeader: { repo: base.repo, task_id: base.task_id, feature_id: featureId, agent_id: agentId, model: recordedModelOf(plan) },
                labels,
                team,
              },
              signal,
            )
            events.agentFinished?.(agentReport(outcome))
            return outcome
          } finally {
            // Later messages to this agent are reported back to their sender as unread.
            await mailbox?.finish()
            await mailbox?.close()
          }
        }),
      )
      const transcript = messaging ? await bus!.transcript(namespace) : []
      const conversation: ConversationEntry[] = transcript.map((m) => ({
        from: m.from,
        to: m.to,
        message: m.content,
        timestamp: m.timestamp,
        feature_id: pair.features[agentIds.indexOf(m.from)] ?? 0,
      }))
      await writeJsonAtomic(join(dir, PairFiles.conversation), conversation)
      const agents: Record<string, CoopAgentRecord> = {}
      for (const [i, outcome] of outcomes.entries()) {
        const featureId = pair.features[i]!
        await writeFileAtomic(join(dir, PairFiles.agentPatch(featureId)), outcome.patch)
        if (outcome.worktreePatch !== undefined) await writeFileAtomic(join(dir, PairFiles.agentWorktreePatch(featureId)), outcome.worktreePatch)
        agents[outcome.agentId] = { feature_id: featureId, ...agentRecord(outcome) }
      }
      const record: CoopResultRecord = {
        ...base,
        setting: 'coop',
        ...timesSince(startedAt),
        agents,
        total_cost: outcomes.reduce((sum, o) => sum + o.result.cost, 0),
        total_steps: outcomes.reduce((sum, o) => sum + o.result.steps, 0),
        messages_sent: conversation.length,
        ...common,
        messaging_enabled: messaging,
        git_enabled: plan.git,
      }
      return await written(record)
    } finally {
      if (messaging) await bus!.clear(namespace).catch(() => {})
    }
  } finally {
    await scope.dispose()
  }
}

/**
 * Like Promise.all, but waits for every agent before rethrowing the first failure, so the pair
 * scope is never disposed while a sibling is still creating its sandbox.
 */
async function allSettledOrThrow<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises)
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failure) throw failure.reason
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value)
}

function agentReport(outcome: AgentOutcome): AgentReport {
  const r = outcome.result
  return {
    agentId: outcome.agentId,
    featureIds: outcome.featureIds,
    status: r.status,
    steps: r.steps,
    cost: r.cost,
    costUnknown: hasUnknownCost(r.messages),
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    error: r.error,
  }
}

function agentRecord(outcome: AgentOutcome) {
  const r = outcome.result
  return {
    status: r.status,
    cost: r.cost,
    steps: r.steps,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
    cache_read_tokens: r.cache_read_tokens,
    cache_write_tokens: r.cache_write_tokens,
    patch_lines: countPatchLines(outcome.patch),
    error: r.error,
    patch_source: outcome.patchSource,
    ...(outcome.worktreePatch === undefined ? {} : { worktree_patch_lines: countPatchLines(outcome.worktreePatch) }),
    ...(r.status !== 'Submitted' && r.failure !== undefined ? { failure: r.failure } : {}),
  }
}

/** The pair folder as the user addressed it: relative to the working dir when inside it. */
function displayPath(dir: string): string {
  const rel = relative(process.cwd(), dir)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir
}
