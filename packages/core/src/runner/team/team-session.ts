import { join } from 'node:path'
import { type AgentTeam, CooperbenchError, errorMessage, type Logger, type MessageBus, type Sandbox, type SharedDir, type TaskList } from '@cooperbench/spec'
import { type TeamFeatures, TEAM_SCRATCHPAD_DIR, type TeamMetrics } from '@cooperbench/spec/team'
import { TASK_COMMAND_SPOOL_DIR } from '@cooperbench/spec-utils/host'
import type { Lifetime } from '../../plugin/lifetime.js'
import { PairFiles } from '../../results/layout.js'
import { writeJsonAtomic } from '../../util/atomic-write.js'
import { copyScratchpad, createCommandSpool, createScratchpad, type Scratchpad } from './scratchpad.js'
import { seedTeamTasks, type TeamSeat } from './seed-tasks.js'
import { type ServedTaskCommands, serveTaskCommandsIn } from './task-commands-in-sandbox.js'
import { TaskMirror, withChangeHook } from './task-mirror.js'
import { computeTeamMetrics } from './team-metrics.js'

export interface TeamSessionInit {
  /** The run's bus (supervised); it must offer task lists when `task_list` is on. */
  bus: MessageBus | null
  /** The pair execution's namespace on the bus (`run:<run id>`), shared with its messages. */
  namespace: string
  /** The team in feature order: the first is the lead. */
  seats: readonly TeamSeat[]
  features: TeamFeatures
  /** The pair scope's lifetime: the scratchpad folder is removed with it. */
  lifetime: Lifetime
  logger: Logger
  /**
   * The backend mounts host folders live (`capabilities.sharedFolders`): each agent's command
   * spool is then a folder of this machine, read without a command in the sandbox.
   */
  hostFolders: boolean
}

/** What one agent of the team gets beside a coop agent's job (`AgentJob.teamSeat`). */
export interface TeamSeatSetup {
  /** `ctx.team`. */
  team: AgentTeam
  /** The scratchpad, when it is on. */
  sharedDirs: SharedDir[]
  /**
   * Run once the sandbox exists: installs the team's commands and answers them; the agent gets
   * `agentSandbox`, and `stop` is called when its run ends. Null without a task list.
   */
  prepareSandbox: ((sandbox: Sandbox, signal: AbortSignal) => Promise<ServedTaskCommands>) | null
}

/** What the team left for result.json: the metrics, when the task list was on. */
export interface TeamOutcome {
  metrics?: TeamMetrics
}

/**
 * One pair execution of the team setting, around its agents' runs: opens and seeds the task list
 * (`task_list`), makes the scratchpad and keeps its mirror of the list current (`scratchpad`),
 * gives each agent its seat, and at the end writes `task_log.json`, `tasks.json` and the
 * scratchpad's copy into the pair folder. A feature that is off leaves no trace: no list, no
 * commands in the sandboxes, no mirror, no files, no metrics.
 */
export class TeamSession {
  private constructor(
    private readonly init: TeamSessionInit,
    private readonly list: TaskList | null,
    private readonly served: TaskList | null,
    private readonly scratchpad: Scratchpad | null,
    private readonly mirror: TaskMirror | null,
    /** Each agent's command spool on this machine, when the backend mounts host folders. */
    private readonly spools: ReadonlyMap<string, string>,
  ) {}

  static async open(init: TeamSessionInit): Promise<TeamSession> {
    const { features, bus, namespace, lifetime, logger } = init
    let list: TaskList | null = null
    if (features.task_list) {
      if (!bus?.openTaskList) {
        throw new CooperbenchError('PLUGIN_INCOMPATIBLE', `the team's task list needs a bus with task lists; bus ${bus?.name ?? '(none)'} has none`, {
          hint: 'Use the memory or redis bus, or run with --team-no-task-list.',
        })
      }
      list = await bus.openTaskList(namespace)
      await seedTeamTasks(list, init.seats)
    }
    const scratchpad = features.scratchpad ? await createScratchpad(lifetime) : null
    const mirror = list && scratchpad ? new TaskMirror(list, join(scratchpad.hostDir, 'tasks')) : null
    await mirror?.refresh()
    const served =
      list && mirror
        ? withChangeHook(
            list,
            () => mirror.refresh(),
            (error) => logger.warn(`the task mirror: ${errorMessage(error)}`),
          )
        : list
    const spools = new Map<string, string>()
    if (list && init.hostFolders) for (const seat of init.seats) spools.set(seat.agentId, await createCommandSpool(lifetime, seat.agentId))
    return new TeamSession(init, list, served, scratchpad, mirror, spools)
  }

  /** The lead's agent id (`agent1`). */
  get lead(): string {
    return this.init.seats[0]!.agentId
  }

  seat(agentId: string): TeamSeatSetup {
    const { seats, features, logger } = this.init
    const served = this.served
    const spool = this.spools.get(agentId) ?? null
    return {
      team: {
        role: agentId === this.lead ? 'lead' : 'member',
        lead: this.lead,
        agents: seats.map((s) => s.agentId),
        features: { ...features },
        taskList: this.list,
        scratchpad: this.scratchpad ? TEAM_SCRATCHPAD_DIR : null,
      },
      sharedDirs: [
        ...(this.scratchpad ? [this.scratchpad.sharedDir] : []),
        ...(spool ? [{ hostPath: spool, sandboxPath: TASK_COMMAND_SPOOL_DIR, kind: 'folder' as const }] : []),
      ],
      prepareSandbox: served
        ? (sandbox, signal) =>
            serveTaskCommandsIn(sandbox, served, agentId, {
              logger,
              signal,
              team: seats.map((s) => s.agentId),
              protocol: features.protocol,
              hostSpoolDir: spool,
            })
        : null,
    }
  }

  /** Writes the task list's files and the scratchpad's copy into the pair folder `dir`; gives the metrics. */
  async finish(dir: string): Promise<TeamOutcome> {
    let outcome: TeamOutcome = {}
    if (this.list) {
      const [tasks, log] = await Promise.all([this.list.list(), this.list.log()])
      await writeJsonAtomic(join(dir, PairFiles.taskLog), log)
      await writeJsonAtomic(join(dir, PairFiles.tasks), tasks)
      outcome = { metrics: computeTeamMetrics(tasks, log) }
      await this.mirror?.refresh()
    }
    if (this.scratchpad) await copyScratchpad(this.scratchpad, join(dir, PairFiles.scratchpad))
    return outcome
  }

  /** Deletes the list from the bus (its files are written) and frees the handle. */
  async close(): Promise<void> {
    if (!this.list) return
    await this.list.clear().catch(() => {})
    await this.list.close().catch(() => {})
  }
}
