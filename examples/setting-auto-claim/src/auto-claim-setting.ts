import type { Registration, Seat, SeatEvents, Setting, SettingPair } from '@cooperbench/spec'
import { type TaskList, teamOptionsOf, teamSetting, teamSettingRegistration, teamTaskList } from '@cooperbench/setting-team'

/**
 * Upstream PR #73's structural forcing, as a host: the team setting, with each seat's events acting on
 * the team's own task list (`pair.service(teamTaskList)`): when an agent starts, the host claims the
 * tasks assigned to it that are still open; when it submits, the host marks its tasks in progress
 * done. The log says the host did it (`via: "host"`), so the team's metrics never credit the agent.
 */
export function autoClaimSetting(options: Record<string, unknown>): Setting {
  const team = teamSetting(teamOptionsOf(options))
  return {
    ...team,
    name: 'auto-claim',
    shape: (facts) => {
      const shape = team.shape(facts)
      return { ...shape, record: { ...shape.record, auto_claim: true } }
    },
    run: (pair) => team.run(withHostClaims(pair)),
  }
}

/** The pair as the team setting gets it: every seat it runs also carries the host's claim and close. */
function withHostClaims(pair: SettingPair): SettingPair {
  return {
    ...pair,
    runSeats: (seats, phase) =>
      pair.runSeats(
        seats.map((seat) => withClaimEvents(pair, seat)),
        phase,
      ),
  }
}

function withClaimEvents(pair: SettingPair, seat: Seat): Seat {
  const own: SeatEvents = seat.events ?? {}
  const list = () => pair.service<TaskList>(teamTaskList)
  return {
    ...seat,
    events: {
      ...own,
      started: async (started) => {
        await own.started?.(started)
        const tasks = await (await list()).list({ owner: seat.agentId, status: 'open' })
        for (const task of tasks) await (await list()).claim(task.id, seat.agentId, { host: true })
      },
      submitted: async (outcome) => {
        await own.submitted?.(outcome)
        const tasks = await (await list()).list({ owner: seat.agentId, status: 'in_progress' })
        for (const task of tasks) await (await list()).update(task.id, seat.agentId, 'done', 'submitted', { host: true })
      },
    },
  }
}

/** The registration of setting `auto-claim`: the team's options (`settings.auto-claim`, no flags of its own) and report. */
export const autoClaimRegistration = {
  name: 'auto-claim',
  specificationVersion: 'setting-v1',
  description: "The team setting, with the host claiming an agent's tasks when it starts and closing them when it submits (upstream PR #73)",
  optionsSchema: teamSettingRegistration.optionsSchema,
  ...(teamSettingRegistration.report ? { report: teamSettingRegistration.report } : {}),
  create: ({ options }) => autoClaimSetting(options),
} satisfies Omit<Registration<'setting'>, 'kind'>
