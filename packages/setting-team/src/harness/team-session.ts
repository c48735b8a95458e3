import { CooperbenchError, errorMessage, pairService, type Sandbox, type SeatCoordination, type SettingPair } from '@cooperbench/spec'
import { teamBriefing, teamTaskCommandsOn } from '../briefing/team-briefing.js'
import { teamTaskSummary } from '../briefing/team-task-summary.js'
import { type ReferenceTeamTemplate, renderReferenceTeamSection } from '../briefing/upstream-team-block.js'
import { teamTools } from '../commands/team-tools.js'
import type { TaskList } from '../task-list/task-types.js'
import { TeamTaskList } from '../task-list/team-task-list.js'
import { TEAM_SCRATCHPAD_DIR, TEAM_TASKS_MIRROR_DIR, type TeamFeatures, type TeamMetrics, type TeamRole } from '../team-types.js'
import { usesTaskList } from '../options.js'
import { seedTeamTasks, type TeamSeat } from './seed-tasks.js'
import { sandboxMirrorTarget, TaskMirror, withChangeHook } from './task-mirror.js'
import { computeTeamMetrics } from './team-metrics.js'

/** The team's files in the pair folder (upstream's names). */
export const TeamFiles = {
  /** The task list's audit log, oldest event first (with the task list on). */
  taskLog: 'task_log.json',
  /** The tasks as the run left them, in id order (with the task list on). */
  tasks: 'tasks.json',
  /** The scratchpad's files at the end, the task mirror in `tasks/` included (with the scratchpad on). */
  scratchpad: 'scratchpad',
} as const

/**
 * The pair's shared task list, kept as a log on the run's bus (`MessageBus.openLog`), cleared when the pair ends: one per pair, which
 * a setting composed on the team's reaches as the team does (`pair.service(teamTaskList)`).
 */
export const teamTaskList = pairService<TaskList>({
  id: 'team.task-list',
  async create(pair: SettingPair) {
    const { bus } = pair
    if (!bus?.openLog) {
      throw new CooperbenchError('PLUGIN_INCOMPATIBLE', `the team's task list needs a bus that keeps shared logs; bus ${bus?.name ?? '(none)'} has none`, {
        hint: 'Use the memory or redis bus, or run with --team-no-task-commands.',
      })
    }
    const namespace = `team:${pair.runId}`
    const log = await bus.openLog(namespace, 'tasks')
    pair.own(`task list ${namespace}`, async () => {
      await log.close().catch(() => {})
      await bus.clear(namespace).catch(() => {})
    })
    return new TeamTaskList(log, () => bus.openLog!(namespace, 'tasks'))
  },
})

/** What a team pair's run is given: its seats (the first leads), its features on, and upstream's team block when the run has the file. */
interface TeamSessionInput {
  seats: readonly TeamSeat[]
  features: TeamFeatures
  upstream: ReferenceTeamTemplate | null
}

/**
 * A team pair around its agents' runs: the task list when a feature uses it (seeded with `task_list`), the scratchpad with the list's
 * mirror (without it each `coop-task-list` writes its own sandbox's, as upstream's did), each seat's coordination surface (briefing,
 * commands, the `[Team task list]` status, upstream's `CB_TEAM_*`), and at the end `task_log.json`, `tasks.json` and the scratchpad's
 * copy. A feature that is off leaves no trace.
 */
export class TeamSession {
  private constructor(
    private readonly pair: SettingPair,
    private readonly input: TeamSessionInput,
    private readonly list: TaskList | null,
    private readonly served: TaskList | null,
    /** The scratchpad's folder on the harness's host. */
    private readonly scratchpad: string | null,
    private readonly mirror: TaskMirror | null,
    /** Without the scratchpad, each agent's own `/workspace/shared` on this machine (for its mirror), when the backend mounts host folders. */
    private readonly ownShared: ReadonlyMap<string, string>,
  ) {}

  /** Failed seeding fails the pair (upstream ran "task-list degraded" yet recorded it). */
  static async open(pair: SettingPair, input: TeamSessionInput): Promise<TeamSession> {
    const { features } = input
    const list = usesTaskList(features) ? await pair.service(teamTaskList) : null
    if (list && features.task_list) await seedTeamTasks(list, input.seats)
    const scratchpad = features.scratchpad ? await pair.openFolder('scratchpad') : null
    const mirror = list && scratchpad ? new TaskMirror(list, `${scratchpad}/tasks`) : null
    await mirror?.refresh()
    const mirrorFailed = (error: unknown) => pair.logger.warn(`the task mirror: ${errorMessage(error)}`)
    const served = list && mirror ? withChangeHook(list, () => mirror.refresh(), mirrorFailed) : list
    // A bubblewrap sandbox's root is the host's, read-only: its `/workspace/shared` must be a folder of this machine, mounted.
    const ownShared = new Map<string, string>()
    if (list && !scratchpad && teamTaskCommandsOn(input) && pair.backend.capabilities.sharedFolders === true) {
      for (const { agentId } of input.seats) ownShared.set(agentId, await pair.openFolder(`shared-${agentId}`))
    }
    return new TeamSession(pair, input, list, served, scratchpad, mirror, ownShared)
  }

  /** The lead's agent id (`agent1`). */
  get lead(): string {
    return this.input.seats[0]!.agentId
  }

  roleOf(agentId: string): TeamRole {
    return agentId === this.lead ? 'lead' : 'member'
  }

  /** What one agent coordinates with in the team: its briefing (ours, and upstream's block), commands, status, variables and folders. */
  coordination(agentId: string, messaging: boolean): SeatCoordination {
    const { features, upstream } = this.input
    const agents = this.input.seats.map((s) => s.agentId)
    const role = this.roleOf(agentId)
    const team = { role, lead: this.lead, agents, features, scratchpad: this.scratchpad ? TEAM_SCRATCHPAD_DIR : null }
    const commands = this.served && teamTaskCommandsOn(team) ? this.served : null
    const list = this.list
    const shared = this.scratchpad ?? this.ownShared.get(agentId) ?? null
    const env = this.env(agentId)
    return {
      briefing: {
        sections: teamBriefing({ agentId, team, messaging }),
        upstream: upstream ? renderReferenceTeamSection(upstream, { agentId, agents, role }) || null : null,
      },
      tools: commands ? teamTools({ list: commands, agentId, agents, protocol: features.protocol, ...this.ownMirror(agentId) }) : [],
      ...(features.auto_refresh && list ? { status: async () => teamTaskSummary(await list.list(), agentId) } : {}),
      ...(env ? { env } : {}),
      ...(shared ? { mounts: [{ hostPath: shared, sandboxPath: TEAM_SCRATCHPAD_DIR, kind: 'folder' as const }] } : {}),
      ...(features.mcp ? { waitForMessages: { declaration: upstream?.waitForMessage ?? null } } : {}),
    }
  }

  /** Without the scratchpad, upstream's `coop-task-list` wrote the list into the agent's own sandbox: here, or through the sandbox. */
  private ownMirror(agentId: string) {
    const list = this.served
    if (this.scratchpad || list === null) return {}
    const own = this.ownShared.get(agentId)
    const mirror = own === undefined ? null : new TaskMirror(list, `${own}/tasks`)
    return {
      afterList: (sandbox: Sandbox, signal: AbortSignal) =>
        (mirror ?? new TaskMirror(list, sandboxMirrorTarget(sandbox, TEAM_TASKS_MIRROR_DIR, signal))).refresh(),
    }
  }

  /** Upstream's `CB_TEAM_*` variables (`env_for`) when a feature reads them; not `CB_TEAM_REDIS_URL`: a sandbox needs no Redis. */
  private env(agentId: string): Record<string, string> | null {
    if (!usesTaskList(this.input.features) && !this.input.features.mcp) return null
    return {
      CB_TEAM_RUN_ID: this.pair.runId,
      CB_TEAM_AGENT_ID: agentId,
      CB_TEAM_AGENTS: this.input.seats.map((s) => s.agentId).join(','),
      CB_TEAM_TASKS_DIR: TEAM_TASKS_MIRROR_DIR,
      CB_TEAM_ROLE: this.roleOf(agentId),
    }
  }

  /** Writes the seeded list's files and the scratchpad's copy into the pair folder; gives the metrics (none without the seeded list, as upstream). */
  async finish(): Promise<{ metrics?: TeamMetrics }> {
    let outcome: { metrics?: TeamMetrics } = {}
    if (this.list && this.input.features.task_list) {
      const [tasks, log] = await Promise.all([this.list.list(), this.list.log()])
      await this.pair.writeFile(TeamFiles.taskLog, log)
      await this.pair.writeFile(TeamFiles.tasks, tasks)
      outcome = { metrics: computeTeamMetrics(tasks, log) }
    }
    await this.mirror?.refresh()
    if (this.scratchpad) await this.pair.copyFolder(this.scratchpad, TeamFiles.scratchpad)
    return outcome
  }
}
