import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryBus } from '@cooperbench/builtins'
import type { PairService, SeatCoordination, SettingPair, Task } from '@cooperbench/core'
import { Lifetime } from '@cooperbench/core/plugins'
import { pairFolders } from '@cooperbench/core/runner'
import {
  ALL_TEAM_FEATURES,
  readReferenceTeamTemplate,
  type TaskList,
  TEAM_SCRATCHPAD_DIR,
  type TeamFeatures,
  TeamSession,
  teamTaskList,
} from '@cooperbench/setting-team'
import { getOrCreate, silentLogger } from '@cooperbench/spec-utils'

/** What {@link openTestTeam} makes a team of. */
export interface TestTeamOptions {
  /** The task the pair works on (`SettingPair.task`; the team's session reads nothing of it). */
  task?: Task
  /** Each agent with the feature it implements, the lead first. Default agent1 (feature 1) leading agent2 (feature 2). */
  seats?: ReadonlyArray<{ agentId: string; featureId: number }>
  /** The features as the setting records them (the rest on). */
  features?: Partial<TeamFeatures>
  /** Upstream's team template file (`--team-prompt-template`), for agents following upstream's prompts. */
  promptTemplate?: string
}

/** A team pair as the `team` setting opens it, for an agent's tests: its seats' coordination, its list, its scratchpad. */
export interface TestTeam {
  readonly features: TeamFeatures
  /** The pair's id: its bus namespaces are `run:<runId>` (messages) and `team:<runId>` (the task list). */
  readonly runId: string
  /** The in-process bus the team keeps its list on; open the agents' mailboxes on `run:<runId>`. */
  readonly bus: MemoryBus
  /** The team's task list (null when no feature uses one), seeded when `task_list` is on. */
  readonly list: TaskList | null
  /** The scratchpad's folder on this machine (null when off); every seat mounts it at `/workspace/shared`. */
  readonly scratchpad: string | null
  /** What the setting gives one seat to coordinate with (`Seat.coordination`): pass it to `runAgentOnFixture`, or serve it yourself. */
  coordination(agentId: string, messaging?: boolean): SeatCoordination
  /** Writes the pair's team files (task_log.json, tasks.json, the scratchpad's copy) into `dir` and gives the metrics. */
  finish(): ReturnType<TeamSession['finish']>
  /** The pair's folder, where `finish` writes. */
  readonly dir: string
  /** Ends the pair: the list cleared, the scratchpad and the folder removed, the bus closed. */
  close(): Promise<void>
}

/**
 * Opens a team pair with the team setting's own session over an in-process bus, as a team run opens it: the list seeded (with
 * `task_list`), the scratchpad made, each seat's coordination surface (briefing, commands, status, variables, mounts) ready to
 * hand to a seat. What a pair offers that the session never uses (running seats, channels, git remotes) throws.
 */
export async function openTestTeam(options: TestTeamOptions = {}): Promise<TestTeam> {
  const features: TeamFeatures = { ...ALL_TEAM_FEATURES, ...options.features }
  const upstream = options.promptTemplate === undefined ? null : readReferenceTeamTemplate(options.promptTemplate)
  const seats = options.seats ?? [
    { agentId: 'agent1', featureId: 1 },
    { agentId: 'agent2', featureId: 2 },
  ]
  const runId = randomBytes(4).toString('hex')
  const bus = new MemoryBus()
  const lifetime = new Lifetime()
  const dir = await mkdtemp(join(tmpdir(), 'cb-test-team-'))
  const close = async () => {
    await lifetime.dispose()
    await bus.close().catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const task = options.task ?? ({ repo: 'test_team', taskId: 1, features: [] } as unknown as Task)
    const pair = testTeamPair({ task, features: seats.map((s) => s.featureId), bus, lifetime, dir, runId })
    const session = await TeamSession.open(pair, { seats, features, upstream })
    // The pair's one list, the session's own (a pair makes each service once), when a feature uses it.
    const list = features.task_list || features.auto_refresh || features.protocol ? await pair.service(teamTaskList) : null
    const lead = session.coordination(seats[0]!.agentId, true)
    const scratchpad = lead.mounts?.find((mount) => mount.sandboxPath === TEAM_SCRATCHPAD_DIR)?.hostPath ?? null
    return {
      features,
      runId,
      bus,
      list,
      scratchpad,
      dir,
      coordination: (agentId, messaging = true) => session.coordination(agentId, messaging),
      finish: () => session.finish(),
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

/**
 * The pair the team setting is given: core's folders and files, the bus, each service made once, a backend that shares no folder
 * live (commands answered through the sandbox). What the team's session never calls rejects.
 */
function testTeamPair(input: { task: Task; features: number[]; bus: MemoryBus; lifetime: Lifetime; dir: string; runId: string }): SettingPair {
  const unused = (what: string) => () => Promise.reject(new Error(`${what} is not used by the testkit's team`))
  const services = new Map<string, Promise<unknown>>()
  const pair: SettingPair = {
    task: input.task,
    features: input.features,
    runId: input.runId,
    options: {},
    run: { messaging: true, git: false, features: input.features.length },
    bus: input.bus,
    backend: { name: 'testkit', capabilities: { isolation: 'container', network: false, snapshots: false, sharedFolders: false } },
    logger: silentLogger,
    signal: new AbortController().signal,
    featureText: unused('featureText'),
    runSeats: unused('runSeats'),
    startSeat: () => {
      throw new Error("startSeat is not used by the testkit's team")
    },
    service: <T>(ref: PairService<T>) => getOrCreate(services, ref.id, () => Promise.resolve().then(() => ref.create(pair))) as Promise<T>,
    openChannel: unused('openChannel'),
    openGitRemote: unused('openGitRemote'),
    ...pairFolders(input.lifetime, input.dir),
  }
  return pair
}
