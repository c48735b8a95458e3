import { type AgentTeam, CooperbenchError, errorMessage, type Seat, type SettingPair, type SharedDir, type TaskList } from '@cooperbench/spec'
import { type TeamFeatures, TEAM_SCRATCHPAD_DIR, TEAM_TASKS_MIRROR_DIR, type TeamMetrics } from '@cooperbench/spec/team'
import { teamTaskCommandsOn } from '../agent/team-commands-on.js'
import { TASK_COMMAND_SPOOL_DIR } from '../commands/task-commands.js'
import { seedTeamTasks, type TeamSeat } from './seed-tasks.js'
import { serveTaskCommandsIn } from '../commands/serve-in-sandbox.js'
import { sandboxMirrorTarget, TaskMirror, withChangeHook } from './task-mirror.js'
import { computeTeamMetrics } from './team-metrics.js'
import { usesTaskList } from '../options.js'

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
 * A team pair around its agents' runs: the task list on the bus when a feature uses it (seeded with `task_list`), the scratchpad with
 * the list's mirror (without it each `coop-task-list` writes its own sandbox's, as upstream's did), seats with `CB_TEAM_*` as upstream,
 * and at the end `task_log.json`, `tasks.json` and the scratchpad's copy. A feature that is off leaves no trace.
 */
export class TeamSession {
  private constructor(
    private readonly pair: SettingPair,
    private readonly namespace: string,
    private readonly seats: readonly TeamSeat[],
    private readonly features: TeamFeatures,
    private readonly list: TaskList | null,
    private readonly served: TaskList | null,
    /** The scratchpad's folder on the harness's host. */
    private readonly scratchpad: string | null,
    private readonly mirror: TaskMirror | null,
    /** Each agent's command spool on this machine, when the backend mounts host folders. */
    private readonly spools: ReadonlyMap<string, string>,
    /** Without the scratchpad, each agent's own `/workspace/shared` on this machine (for its mirror), when the backend mounts host folders. */
    private readonly ownShared: ReadonlyMap<string, string>,
  ) {}

  /** The first seat leads; `namespace` is upstream's run id. Failed seeding fails the pair (upstream ran "task-list degraded" yet recorded it). */
  static async open(pair: SettingPair, namespace: string, seats: readonly TeamSeat[], features: TeamFeatures): Promise<TeamSession> {
    const { bus, logger } = pair
    let list: TaskList | null = null
    if (usesTaskList(features)) {
      if (!bus?.openTaskList) {
        throw new CooperbenchError('PLUGIN_INCOMPATIBLE', `the team's task list needs a bus with task lists; bus ${bus?.name ?? '(none)'} has none`, {
          hint: 'Use the memory or redis bus, or run with --team-no-task-commands.',
        })
      }
      list = await bus.openTaskList(namespace)
      const opened = list
      pair.own(`task list ${namespace}`, async () => {
        await opened.clear().catch(() => {})
        await opened.close().catch(() => {})
      })
      if (features.task_list) await seedTeamTasks(list, seats)
    }
    const scratchpad = features.scratchpad ? await pair.openFolder('scratchpad') : null
    const mirror = list && scratchpad ? new TaskMirror(list, `${scratchpad}/tasks`) : null
    await mirror?.refresh()
    const mirrorFailed = (error: unknown) => logger.warn(`the task mirror: ${errorMessage(error)}`)
    const served = list && mirror ? withChangeHook(list, () => mirror.refresh(), mirrorFailed) : list
    const spools = new Map<string, string>()
    const ownShared = new Map<string, string>()
    if (list && pair.backend.capabilities.sharedFolders === true) {
      for (const seat of seats) spools.set(seat.agentId, await pair.openFolder(`spool-${seat.agentId}`))
      if (!scratchpad && teamTaskCommandsOn({ features }))
        for (const seat of seats) ownShared.set(seat.agentId, await pair.openFolder(`shared-${seat.agentId}`))
    }
    return new TeamSession(pair, namespace, seats, features, list, served, scratchpad, mirror, spools, ownShared)
  }

  /** The list as the agents' commands reach it (every change made through it refreshes the mirror); null without one. */
  get taskList(): TaskList | null {
    return this.served
  }

  /** The lead's agent id (`agent1`). */
  get lead(): string {
    return this.seats[0]!.agentId
  }

  roleOf(agentId: string): AgentTeam['role'] {
    return agentId === this.lead ? 'lead' : 'member'
  }

  /** What one agent's seat has beside a coop agent's: its team, role, folders, commands and variables. */
  seat(agentId: string, featureId: number): Partial<Seat> {
    const { features, pair } = this
    const spool = this.spools.get(agentId) ?? null
    const agents = this.seats.map((s) => s.agentId)
    const team: AgentTeam = {
      role: this.roleOf(agentId),
      lead: this.lead,
      agents,
      features: { ...features },
      taskList: this.list,
      scratchpad: this.scratchpad ? TEAM_SCRATCHPAD_DIR : null,
    }
    const served = teamTaskCommandsOn(team) ? this.served : null
    const env = this.envOf(agentId)
    const own = this.ownShared.get(agentId)
    return {
      framing: 'team',
      role: team.role,
      trajectoryHeader: { feature_id: featureId, agent_id: agentId, team_role: team.role },
      team,
      sharedDirs: [
        ...(this.scratchpad ? [{ hostPath: this.scratchpad, sandboxPath: TEAM_SCRATCHPAD_DIR, kind: 'folder' as const }] : []),
        ...(spool && served ? [{ hostPath: spool, sandboxPath: TASK_COMMAND_SPOOL_DIR, kind: 'folder' as const } satisfies SharedDir] : []),
        ...(own ? [{ hostPath: own, sandboxPath: TEAM_SCRATCHPAD_DIR, kind: 'folder' as const }] : []),
      ],
      ...(served || env
        ? {
            prepare: (sandbox, signal) =>
              serveTaskCommandsIn(sandbox, served, agentId, {
                logger: pair.logger,
                signal,
                team: agents,
                protocol: features.protocol,
                hostSpoolDir: spool,
                // A process-isolated sandbox (bubblewrap) shares the host's root, read-only: nothing to link there.
                linkCommands: pair.backend.capabilities.isolation !== 'process',
                env: env ?? {},
                // Without the scratchpad, upstream's `coop-task-list` wrote the list into the agent's own sandbox.
                ...(served && !this.scratchpad
                  ? { localMirror: new TaskMirror(served, own ? `${own}/tasks` : sandboxMirrorTarget(sandbox, TEAM_TASKS_MIRROR_DIR, signal)) }
                  : {}),
              }),
          }
        : {}),
    }
  }

  /** Upstream's `CB_TEAM_*` variables (`env_for`) when a feature reads them; not `CB_TEAM_REDIS_URL`: a sandbox needs no Redis. */
  private envOf(agentId: string): Record<string, string> | null {
    if (!usesTaskList(this.features) && !this.features.mcp) return null
    return {
      CB_TEAM_RUN_ID: this.namespace,
      CB_TEAM_AGENT_ID: agentId,
      CB_TEAM_AGENTS: this.seats.map((s) => s.agentId).join(','),
      CB_TEAM_TASKS_DIR: TEAM_TASKS_MIRROR_DIR,
      CB_TEAM_ROLE: this.roleOf(agentId),
    }
  }

  /** Writes the seeded list's files and the scratchpad's copy into the pair folder; gives the metrics (none without the seeded list, as upstream). */
  async finish(): Promise<{ metrics?: TeamMetrics }> {
    let outcome: { metrics?: TeamMetrics } = {}
    if (this.list && this.features.task_list) {
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
