import type { RecordedPair, ReportSection, SettingEvent, SettingPairView } from '@cooperbench/spec/report'
import { type ColumnOf, count, duration, fraction, NONE, tableOf, text } from '@cooperbench/spec-utils/report'
import { TeamFiles } from '../harness/team-session.js'
import { hasTeamMetrics, readTeamFeatures, TEAM_FEATURE_NAMES, type TeamFeatures, WITH_TASK_COMMANDS } from '../team-types.js'
import { featureFlag } from './team-features.js'

/** One entry of task_log.json: an event (`label` the task's title, else its or the request's id), listed even without a time or agent. */
interface LogEntry extends Omit<SettingEvent, 'ts' | 'by' | 'detail'> {
  ts: number | null
  by: string | null
  label: string
  detail: string
}

/**
 * A team pair's page: its features (off ones with their `--team-no-*` flag), upstream's metrics, the task log (also as events on
 * the timeline), the tasks at the end, the scratchpad's files; each agent's role for folders without phases, the lead.
 */
export async function teamPairView(pair: RecordedPair): Promise<SettingPairView> {
  const { result } = pair
  const problems: string[] = []
  const features = readTeamFeatures(result.team_features)
  const log = await readJsonList(pair, TeamFiles.taskLog, problems)
  const tasks = await readJsonList(pair, TeamFiles.tasks, problems)
  const titles = new Map<string, string>()
  for (const entry of [...tasks, ...log]) {
    const id = textOf(entry.id ?? entry.task_id)
    if (id !== null && typeof entry.title === 'string') titles.set(id, entry.title)
  }
  const entries = log.flatMap((entry) => logEntry(entry, titles) ?? [])
  const started = Date.parse(result.started_at) / 1000
  const lead = typeof result.lead_agent === 'string' ? result.lead_agent : null
  const sections = [featuresSection(features, lead), metricsSection(result.metrics, features)]
  if (entries.length > 0) sections.push(logSection(entries, started))
  if (tasks.length > 0) sections.push(tasksSection(tasks))
  // Folders written before the team recorded its phase name each agent's role in its record only.
  const roles = Object.entries(result.agents ?? {}).map(([id, agent]) => [id, (agent as { team_role?: unknown }).team_role])
  return {
    sections,
    events: entries.flatMap(({ ts, by, detail, ...rest }) => (ts === null || by === null ? [] : [{ ...rest, ts, by, detail: detail || undefined }])),
    files: {
      title: 'Scratchpad at the end',
      files: await pair.files(TeamFiles.scratchpad),
      empty: features?.scratchpad === false ? `No scratchpad (${featureFlag('scratchpad')}).` : 'The scratchpad was empty at the end.',
    },
    roles: Object.fromEntries(roles.filter(([, role]) => typeof role === 'string')),
    coordinator: lead ?? undefined,
    problems,
  }
}

/** The flag that turned a feature off: `--team-no-task-commands` for those it switches off with it. */
const offBy = (features: TeamFeatures, name: (typeof TEAM_FEATURE_NAMES)[number]) =>
  features.task_commands === false && WITH_TASK_COMMANDS.includes(name) ? featureFlag('task_commands') : featureFlag(name)

function featuresSection(features: TeamFeatures | null, lead: string | null): ReportSection {
  const columns: Array<ColumnOf<(typeof TEAM_FEATURE_NAMES)[number]>> = [
    { label: 'feature', cell: text },
    { label: 'on', cell: (name) => text(features![name] ? 'on' : 'off') },
    { label: 'turned off by', cell: (name) => (features![name] ? NONE : text(offBy(features!, name))) },
  ]
  return {
    id: 'team_features',
    title: 'Team features',
    caption: `${lead ?? 'The lead'} leads the team and also integrates; each feature is on unless its flag turned it off (upstream's order).`,
    ...tableOf(columns, features === null ? [] : TEAM_FEATURE_NAMES),
    notes: features === null ? ['features unknown: result.json has no team_features'] : [],
  }
}

function metricsSection(metrics: unknown, features: TeamFeatures | null): ReportSection {
  const section = { id: 'team_metrics', title: 'Task list metrics', caption: "Upstream's coordination metrics from the task log (result.json metrics)." }
  const columns = [{ label: 'measure' }, { label: 'value', align: 'right' as const }]
  // `{}` (no task list, as upstream writes it) shows as no metrics.
  if (!hasTeamMetrics(metrics)) {
    const none = features?.task_list === false ? `No task list (${offBy(features, 'task_list')}): no metrics.` : 'No metrics recorded.'
    return { ...section, columns, rows: [], notes: [none] }
  }
  const firstClaim = metrics.time_to_first_claim_seconds === null ? text('no claim') : duration(metrics.time_to_first_claim_seconds)
  const rows = [
    [text('tasks done'), fraction(metrics.tasks_done, metrics.tasks_total)],
    [text('unowned at the end'), count(metrics.unowned_at_end)],
    [text('first claim after'), firstClaim],
    [text('claims'), text(perAgent(metrics.claims_per_agent))],
    [text('updates'), text(perAgent(metrics.updates_per_agent))],
  ]
  return { ...section, columns, rows, notes: [] }
}

function logSection(entries: LogEntry[], started: number): ReportSection {
  const columns: Array<ColumnOf<LogEntry>> = [
    { label: 'at', align: 'right', cell: (e) => (e.ts === null || Number.isNaN(started) ? NONE : duration(e.ts - started)) },
    { label: 'who', cell: (e) => text(e.via ? `${e.via} for ${e.by ?? '?'}` : (e.by ?? '?')) },
    { label: 'does', cell: (e) => text(VERBS[e.kind] ?? e.kind) },
    { label: 'task', cell: (e) => text(e.label) },
    { label: 'detail', cell: (e) => text(e.detail) },
  ]
  const caption = 'The task list\'s audit log (task_log.json), oldest first, from the pair\'s start; "host for agent1": the harness acted for it.'
  return { id: 'team_task_log', title: 'Task log', caption, ...tableOf(columns, entries), notes: [] }
}

function tasksSection(tasks: Array<Record<string, unknown>>): ReportSection {
  const columns: Array<ColumnOf<Record<string, unknown>>> = [
    { label: 'task at the end', cell: (t) => text(typeof t.title === 'string' ? t.title : (textOf(t.id) ?? '')) },
    { label: 'owner', cell: (t) => text(typeof t.owner === 'string' && t.owner !== '' ? t.owner : 'nobody') },
    { label: 'status', cell: (t) => text(textOf(t.status) ?? '?') },
    { label: 'last note', cell: (t) => text(typeof t.last_note === 'string' ? t.last_note : '') },
  ]
  const listed = tasks.filter((t) => textOf(t.id) !== null)
  return { id: 'team_tasks', title: 'Tasks at the end', caption: 'The task list as the run left it (tasks.json).', ...tableOf(columns, listed), notes: [] }
}

const VERBS: Record<string, string> = { create: 'creates', claim: 'claims', update: 'updates', request: 'requests', response: 'responds' }

/** One audit-log entry: who did what to which task, when. Entries without a kind are skipped. */
function logEntry(entry: Record<string, unknown>, titles: Map<string, string>): LogEntry | null {
  const kind = textOf(entry.kind)
  if (kind === null) return null
  // Protocol entries (`request`, `response`) name a request, not a task: its id stands in the task's place.
  const id = textOf(entry.task_id) ?? textOf(entry.request_id) ?? ''
  const protocol = kind === 'request' || kind === 'response'
  const owner = kind === 'create' && typeof entry.owner === 'string' && entry.owner !== '' ? entry.owner : null
  const to = protocol && typeof entry.to === 'string' ? entry.to : null
  const parts: string[] = []
  if (owner) parts.push(`assigned to ${owner}`)
  if (to) parts.push(`to ${to}`)
  if (kind === 'request' && typeof entry.request_kind === 'string') parts.push(entry.request_kind)
  if (protocol && typeof entry.body === 'string' && entry.body !== '') parts.push(entry.body)
  if (typeof entry.status === 'string') parts.push(`→ ${entry.status}`)
  if (typeof entry.note === 'string' && entry.note !== '') parts.push(entry.note)
  return {
    ts: timeOf(entry.ts),
    by: textOf(entry.by),
    via: textOf(entry.via) ?? undefined,
    kind,
    label: titles.get(id) ?? id,
    to: owner ?? to ?? undefined,
    detail: parts.join(' · '),
  }
}

/** A JSON file of the pair holding a list of objects (or, as tasks.json may, an object keyed by id); [] when absent. */
async function readJsonList(pair: RecordedPair, name: string, problems: string[]): Promise<Array<Record<string, unknown>>> {
  const raw = await pair.read(name)
  if (raw === null) return []
  try {
    const value: unknown = JSON.parse(raw)
    const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : null
    if (list === null) throw new Error('not a list')
    return list.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v))
  } catch (error) {
    problems.push(`${name} is not a JSON list (${(error as Error).message})`)
    return []
  }
}

function perAgent(counts: Record<string, number>): string {
  const entries = Object.entries(counts)
  return entries.length === 0 ? 'none' : entries.map(([agent, n]) => `${agent} ${n}`).join(', ')
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null
}

/** Epoch seconds from a log's time: seconds (upstream's floats), milliseconds or an ISO string; null otherwise. */
function timeOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value > 1e12 ? value / 1000 : value
  const parsed = typeof value === 'string' ? Date.parse(value) : Number.NaN
  return Number.isNaN(parsed) ? null : parsed / 1000
}
