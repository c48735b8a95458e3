import { join } from 'node:path'
import type {
  CoopAgentRecord,
  CoopResultRecord,
  MessageBus,
  ResultRecord,
  SandboxTeam,
  SoloResultRecord,
  Pair,
  TeamAgentRecord,
  TeamResultRecord,
} from '@cooperbench/spec'
import { SANDBOX_LABELS } from '@cooperbench/spec'
import { readFeatureSpec, soloInstructions } from '../dataset/index.js'
import { openScopeFor, type Scope } from '../plugin/container.js'
import type { Resolved } from '../plugin/provide.js'
import { Tokens } from '../plugin/tokens.js'
import { PairFiles, pairDir } from '../results/layout.js'
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-write.js'
import { newRunId } from '../util/random-id.js'
import { timesSince } from '../util/time.js'
import type { PairEvents } from './events.js'
import { taskTextDigest } from './eval-inputs.js'
import { agentRecord, agentReport, conversationOf, resultIdentity, resultProvenance } from './pair-records.js'
import { reportingSends } from './reporting-mailbox.js'
import { type AgentOutcome, runAgentJob } from './run-agent.js'
import type { OpenedRun } from './run-scope.js'
import { RunnerTokens } from './scope-services.js'
import { createTeamRemote, type TeamRemote } from './team-remote.js'
import { recordedModelOf, type RunPlan } from './plan.js'
import { type TeamOutcome, TeamSession } from './team/team-session.js'
import { teamFeaturesOf } from '../config/team-features.js'

/** What a pair takes from its scope, once, when the scope opens. */
const PAIR_NEEDS = {
  bus: RunnerTokens.PairBus,
  backend: Tokens.Backend,
  logger: Tokens.Logger,
  sinks: RunnerTokens.Sinks,
  lifetime: Tokens.Lifetime,
}

/**
 * Runs one pair (team) in its own scope, a child of the run's, and writes its files;
 * result.json last, so its presence means the pair finished. Throws (writing no result.json)
 * when the run is interrupted.
 */
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
  const runId = newRunId()
  const startedAt = new Date()
  // Its bus is wrapped after plugins' services: a bus replaced or wrapped by a plugin is bounded too.
  const { scope, services } = await openScopeFor(run.scope, 'pair', [[Tokens.Pair, { pair, dir, runId }]], PAIR_NEEDS)
  const written = async (record: ResultRecord): Promise<ResultRecord> => {
    await run.records.write(dir, PairFiles.result, record)
    await services.sinks.notify((sink) => sink.resultWritten, { dir, record })
    return record
  }
  try {
    const pairRun: PairRun = {
      scope,
      services,
      plan,
      pair,
      dir,
      runId,
      startedAt,
      signal,
      events,
      identity: resultIdentity(plan, pair, runId),
      labels: { [SANDBOX_LABELS.runId]: runId, [SANDBOX_LABELS.pair]: `${pair.task.repo}/${pair.task.taskId}/${pair.features.join(',')}` },
      provenance: resultProvenance(plan, pair, dir, taskText),
      written,
    }
    return plan.setting === 'solo' ? await runSolo(pairRun) : await runCoop(pairRun, services.bus)
  } finally {
    await scope.dispose()
  }
}

/** One pair's run as its agents share it. */
interface PairRun {
  /** The pair's scope, which its agents' scopes open in. */
  scope: Scope
  services: Resolved<typeof PAIR_NEEDS>
  plan: RunPlan
  pair: Pair
  dir: string
  runId: string
  startedAt: Date
  signal: AbortSignal
  events: PairEvents
  /** The keys result.json starts with. */
  identity: ReturnType<typeof resultIdentity>
  /** The labels of the pair's sandboxes. */
  labels: Record<string, string>
  /** The keys after result.json's numbers. */
  provenance: ReturnType<typeof resultProvenance>
  /** Writes result.json, tells the sinks and gives the record back. */
  written(record: ResultRecord): Promise<ResultRecord>
}

/** One agent implements every feature of the pair. */
async function runSolo(run: PairRun): Promise<ResultRecord> {
  const { pair, dir, plan, events, identity } = run
  const texts = await Promise.all(pair.features.map(async (id) => ({ id, text: await readFeatureSpec(pair.task, id) })))
  events.agentStarted?.({ agentId: 'solo', featureIds: pair.features })
  const outcome = await runAgentJob(
    run,
    {
      setting: 'solo',
      agentId: 'solo',
      featureIds: pair.features,
      instructions: soloInstructions(texts),
      task: pair.task,
      peers: [],
      mailbox: null,
      trajectoryPath: join(dir, PairFiles.soloTrajectory),
      trajectoryHeader: { repo: identity.repo, task_id: identity.task_id, features: pair.features, agent_id: 'solo', model: recordedModelOf(plan) },
      labels: run.labels,
      sandboxTeam: { runId: run.runId, members: ['solo'] },
      team: null,
    },
    run.signal,
  )
  events.agentFinished?.(agentReport(outcome))
  await writeFileAtomic(join(dir, PairFiles.soloPatch), outcome.patch)
  if (outcome.worktreePatch !== undefined) await writeFileAtomic(join(dir, PairFiles.soloWorktreePatch), outcome.worktreePatch)
  const record: SoloResultRecord = {
    ...identity,
    setting: 'solo',
    ...timesSince(run.startedAt),
    agent: agentRecord(outcome),
    total_cost: outcome.result.cost,
    total_steps: outcome.result.steps,
    ...run.provenance,
    messaging_enabled: false,
    git_enabled: false,
  }
  return await run.written(record)
}

/**
 * One agent per feature, at once, with the bus (`messaging`) and the shared remote (`git`) as the
 * plan says; in the team setting also the team's session (task list, scratchpad, roles), whose
 * files and metrics join the coop pair's.
 */
async function runCoop(run: PairRun, bus: MessageBus | null): Promise<ResultRecord> {
  const { pair, dir, plan } = run
  const agentIds = pair.features.map((_, i) => `agent${i + 1}`)
  const namespace = `run:${run.runId}`
  const messaging = plan.messagingEnabled && bus !== null && agentIds.length >= 2
  const team = plan.gitEnabled ? await createTeamRemote(run.services.lifetime) : null
  let session: TeamSession | null = null
  try {
    session = plan.setting === 'team' ? await openTeamSession(run, bus, namespace, agentIds) : null
    const shared: CoopShared = {
      channel: messaging ? { bus: bus!, namespace } : null,
      team,
      sandboxTeam: { runId: run.runId, members: agentIds },
      session,
    }
    const outcomes = await allSettledOrThrow(
      pair.features.map((featureId, i) => {
        const agentId = agentIds[i]!
        return runCoopAgent(run, { featureId, agentId, peers: agentIds.filter((id) => id !== agentId) }, shared)
      }),
    )
    const conversation = conversationOf(messaging ? await bus!.transcript(namespace) : [], pair, agentIds)
    await writeJsonAtomic(join(dir, PairFiles.conversation), conversation)
    const agents: Record<string, CoopAgentRecord> = {}
    for (const [i, outcome] of outcomes.entries()) {
      const featureId = pair.features[i]!
      await writeFileAtomic(join(dir, PairFiles.agentPatch(featureId)), outcome.patch)
      if (outcome.worktreePatch !== undefined) await writeFileAtomic(join(dir, PairFiles.agentWorktreePatch(featureId)), outcome.worktreePatch)
      agents[outcome.agentId] = { feature_id: featureId, ...agentRecord(outcome) }
    }
    const record: CoopResultRecord = {
      ...run.identity,
      setting: 'coop',
      ...timesSince(run.startedAt),
      agents,
      total_cost: outcomes.reduce((sum, o) => sum + o.result.cost, 0),
      total_steps: outcomes.reduce((sum, o) => sum + o.result.steps, 0),
      messages_sent: conversation.length,
      ...run.provenance,
      messaging_enabled: messaging,
      git_enabled: plan.gitEnabled,
    }
    return await run.written(session ? teamRecord(record, session, await session.finish(dir), plan) : record)
  } finally {
    if (messaging) await bus!.clear(namespace).catch(() => {})
    await session?.close()
  }
}

/** The team's session of one pair execution, on the pair's bus namespace. */
function openTeamSession(run: PairRun, bus: MessageBus | null, namespace: string, agentIds: string[]): Promise<TeamSession> {
  return TeamSession.open({
    bus,
    namespace,
    seats: agentIds.map((agentId, i) => ({ agentId, featureId: run.pair.features[i]! })),
    features: teamFeaturesOf(run.plan.team),
    lifetime: run.services.lifetime,
    logger: run.services.logger,
    hostFolders: run.services.backend.capabilities.sharedFolders === true,
  })
}

/**
 * A coop pair's record as a team's (upstream 0.0.16's team result.json): the setting, the lead, each
 * role, the features and the metrics (`{}` without the task list, as upstream writes `metrics or {}`).
 */
function teamRecord(coop: CoopResultRecord, session: TeamSession, outcome: TeamOutcome, plan: RunPlan): TeamResultRecord {
  const agents: Record<string, TeamAgentRecord> = {}
  for (const [agentId, agent] of Object.entries(coop.agents)) agents[agentId] = { ...agent, team_role: agentId === session.lead ? 'lead' : 'member' }
  return {
    ...coop,
    setting: 'team',
    agents,
    lead_agent: session.lead,
    team_features: teamFeaturesOf(plan.team),
    metrics: outcome.metrics ?? {},
  }
}

/** One agent of a coop pair: its feature, its name and its teammates' names. */
interface CoopSeat {
  featureId: number
  agentId: string
  peers: string[]
}

/** What a coop pair's agents share: the bus namespace (when the team messages), the git remote (`--git`), the team as backends see it, and the team setting's session. */
interface CoopShared {
  channel: { bus: MessageBus; namespace: string } | null
  team: TeamRemote | null
  sandboxTeam: SandboxTeam
  session: TeamSession | null
}

/** One agent of a coop pair, with its mailbox on the pair's bus namespace when the team messages. */
async function runCoopAgent(run: PairRun, seat: CoopSeat, shared: CoopShared): Promise<AgentOutcome> {
  const { pair, plan, events, identity } = run
  const { featureId, agentId, peers } = seat
  const { channel, team } = shared
  const opened = channel ? await channel.bus.open(channel.namespace, agentId, peers) : null
  const mailbox = opened && events.messageSent ? reportingSends(opened, events.messageSent) : opened
  events.agentStarted?.({ agentId, featureIds: [featureId] })
  try {
    const outcome = await runAgentJob(
      run,
      {
        setting: plan.setting === 'team' ? 'team' : 'coop',
        agentId,
        featureIds: [featureId],
        instructions: await readFeatureSpec(pair.task, featureId),
        task: pair.task,
        peers,
        mailbox,
        trajectoryPath: join(run.dir, PairFiles.agentTrajectory(featureId)),
        trajectoryHeader: {
          repo: identity.repo,
          task_id: identity.task_id,
          feature_id: featureId,
          agent_id: agentId,
          ...(shared.session ? { team_role: agentId === shared.session.lead ? ('lead' as const) : ('member' as const) } : {}),
          model: recordedModelOf(plan),
        },
        labels: run.labels,
        sandboxTeam: shared.sandboxTeam,
        team,
        teamSeat: shared.session?.seat(agentId) ?? null,
      },
      run.signal,
    )
    events.agentFinished?.(agentReport(outcome))
    return outcome
  } finally {
    // Later messages to this agent are reported back to their sender as unread.
    await mailbox?.finish()
    await mailbox?.close()
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
