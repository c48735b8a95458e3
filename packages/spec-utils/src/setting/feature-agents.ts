import type { ConversationEntry, Seat, SeatOutcome, SettingPair } from '@cooperbench/spec'
import { conversationOf } from './conversation.js'

/** How {@link runFeatureAgents} makes its seats. */
export interface FeatureAgentsOptions {
  /** More of one agent's seat (a team's role, briefing, tools), by its id and feature. */
  seat?(agentId: string, featureId: number): Partial<Seat>
  /** Names the seats' phase on the pair's timeline. */
  phase?: string
  /** Their instructions (default: the feature's text). */
  instructions?(featureId: number): Promise<string>
  /** Their files (default: upstream's `agent<fid>_traj.json`, `agent<fid>.patch`). */
  files?(featureId: number): Seat['files']
  /**
   * The channel's name, when seats of several phases of a pair message (default: the pair's own);
   * the git remote is always `team`, upstream's name.
   */
  channel?: string
}

/** What one agent per feature left: each seat's outcome in feature order, the conversation, and what they shared. */
export interface FeatureAgentsOutcome {
  agentIds: string[]
  outcomes: SeatOutcome[]
  conversation: ConversationEntry[]
  messaging: boolean
  git: boolean
}

/** A feature's agent's files as upstream names them. */
export function featureAgentFiles(featureId: number): Seat['files'] {
  return { trajectory: `agent${featureId}_traj.json`, patch: `agent${featureId}.patch`, worktreePatch: `agent${featureId}.worktree.patch` }
}

/**
 * One agent per feature, all at once (coop's protocol, upstream 0.0.14), `agent1` on the lowest, each told its feature's text; two or
 * more message on one channel when the run lets them, and share a git remote `team` with `--git`.
 */
export async function runFeatureAgents(pair: SettingPair, options: FeatureAgentsOptions = {}): Promise<FeatureAgentsOutcome> {
  const agentIds = pair.features.map((_, i) => `agent${i + 1}`)
  const wantsMessages = pair.run.messaging && agentIds.length >= 2
  const channel = wantsMessages ? await pair.openChannel(options.channel) : null
  const remote = pair.run.git ? await pair.openGitRemote('team') : null
  const seats = await Promise.all(
    pair.features.map(async (featureId, i): Promise<Seat> => {
      const agentId = agentIds[i]!
      return {
        agentId,
        featureIds: [featureId],
        instructions: await (options.instructions?.(featureId) ?? pair.featureText(featureId)),
        files: options.files?.(featureId) ?? featureAgentFiles(featureId),
        trajectoryHeader: { feature_id: featureId, agent_id: agentId },
        peers: agentIds.filter((id) => id !== agentId),
        channel,
        git: remote,
        ...options.seat?.(agentId, featureId),
      }
    }),
  )
  const outcomes = await pair.runSeats(seats, options.phase)
  const transcript = channel ? await channel.transcript() : []
  const conversation = conversationOf(transcript, (agentId) => pair.features[agentIds.indexOf(agentId)])
  return { agentIds, outcomes, conversation, messaging: channel !== null, git: remote !== null }
}

/** result.json's keys of one agent per feature (coop's): each agent with its feature, the totals, the messages sent. */
export function featureAgentsRecord(pair: Pick<SettingPair, 'features'>, done: FeatureAgentsOutcome): Record<string, unknown> {
  const agents = Object.fromEntries(done.outcomes.map((o, i) => [o.agentId, { feature_id: pair.features[i], ...o.record }]))
  return { agents, ...totals(done.outcomes), messages_sent: done.conversation.length }
}

/** `total_cost` and `total_steps` of seats' outcomes. */
export function totals(outcomes: readonly SeatOutcome[]): { total_cost: number; total_steps: number } {
  return { total_cost: outcomes.reduce((sum, o) => sum + o.result.cost, 0), total_steps: outcomes.reduce((sum, o) => sum + o.result.steps, 0) }
}
