import { type TeamFeatures, WITH_TASK_COMMANDS } from '@cooperbench/spec/team'
import type { PairDetail } from '../../../src/model.ts'
import { seconds } from '../format.ts'
import { TableHead } from '../TableHead.tsx'
import { taskVerb } from './Timeline.tsx'

/** The five team features in upstream's order, each with the flag that turns it off. */
const FEATURES = [
  ['task_list', '--team-no-task-list'],
  ['scratchpad', '--team-no-scratchpad'],
  ['mcp', '--team-no-mcp'],
  ['auto_refresh', '--team-no-auto-refresh'],
  ['protocol', '--team-no-protocol'],
] as const

/** The flag that turned a feature off: `--team-no-task-commands` for those it switches off with it. */
const offBy = (features: TeamFeatures, name: (typeof FEATURES)[number][0], flag: string) =>
  features.task_commands === false && WITH_TASK_COMMANDS.includes(name) ? '--team-no-task-commands' : flag

/** A team pair's roles, features (off ones struck through, with their flag), upstream's metrics, board events and final tasks. */
export function TeamPanel({ detail }: { detail: PairDetail }) {
  const team = detail.team!
  const m = team.metrics
  return (
    <div class="team-panel">
      <p class="team-roles">
        {detail.lanes.map((lane) => (
          <span key={lane.id} class={`role role-${team.roles[lane.id] ?? 'member'}`} data-agent={lane.id}>
            {`${lane.id}: ${team.roles[lane.id] ?? '?'}${lane.id === team.lead && team.roles[lane.id] === 'lead' ? ' (also integrates)' : lane.id === team.lead ? ' (the lead: also integrates)' : ''}`}
          </span>
        ))}
      </p>
      <p class="feature-chips">
        {team.features === null ? (
          <span class="chip unknown">features unknown</span>
        ) : (
          FEATURES.map(([name, flag]) => (
            <span
              key={name}
              class={`chip ${team.features![name] ? 'on' : 'off'}`}
              data-feature={name}
              title={team.features![name] ? 'on' : `off (${offBy(team.features!, name, flag)})`}
            >
              {name}
            </span>
          ))
        )}
      </p>
      {m ? (
        <dl class="team-metrics">
          <dt>tasks done</dt>
          <dd>{`${m.tasks_done} of ${m.tasks_total}`}</dd>
          <dt>unowned at the end</dt>
          <dd>{m.unowned_at_end}</dd>
          <dt>first claim after</dt>
          <dd>{m.time_to_first_claim_seconds === null ? 'no claim' : seconds(m.time_to_first_claim_seconds)}</dd>
          <dt>claims</dt>
          <dd>{perAgent(m.claims_per_agent)}</dd>
          <dt>updates</dt>
          <dd>{perAgent(m.updates_per_agent)}</dd>
        </dl>
      ) : (
        <p class="empty">
          {team.features?.task_list === false
            ? `No task list (${offBy(team.features, 'task_list', '--team-no-task-list')}): no metrics.`
            : 'No metrics recorded.'}
        </p>
      )}
      {team.events.length > 0 && (
        <table class="task-log">
          <TableHead columns={['at', 'who', 'does', 'task', 'detail']} />
          <tbody>
            {team.events.map((e, i) => (
              <tr key={i} class={`kind-${e.kind}`}>
                <td>{e.at === null ? '–' : seconds(e.at - detail.start)}</td>
                <td>{e.by ?? '?'}</td>
                <td>{taskVerb(e.kind)}</td>
                <td title={e.taskId}>{e.title ?? e.taskId}</td>
                <td>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {team.tasks.length > 0 && (
        <table class="team-tasks">
          <TableHead columns={['task at the end', 'owner', 'status', 'last note']} />
          <tbody>
            {team.tasks.map((t) => (
              <tr key={t.id} class={`status-${t.status ?? 'unknown'}`}>
                <td title={t.id}>{t.title}</td>
                <td>{t.owner ?? 'nobody'}</td>
                <td>{t.status ?? '?'}</td>
                <td>{t.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

function perAgent(counts: Record<string, number>): string {
  const entries = Object.entries(counts)
  return entries.length === 0 ? 'none' : entries.map(([agent, n]) => `${agent} ${n}`).join(', ')
}
