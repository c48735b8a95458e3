import { readdir, readFile, stat } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import type { PairFolder } from '@cooperbench/results'
import { hasTeamMetrics, readTeamFeatures } from '@cooperbench/spec/team'
import type { ScratchpadFile, TaskBoardEvent, TeamTaskView, TeamView } from './model.js'
import { timeOf } from './time-of.js'

/** A team pair folder's own files (upstream 0.0.16's layout): the task list's audit log, its final tasks, the scratchpad's copy. */
export const TeamFiles = { taskLog: 'task_log.json', tasks: 'tasks.json', scratchpad: 'scratchpad' } as const

/** Files of the scratchpad shown inline; larger ones are listed with their size only. */
const MAX_TEXT_BYTES = 256 * 1024
/** An agent could leave thousands of files: the page lists this many. */
const MAX_FILES = 200

/** A team's roles, features, metrics, board events, final tasks and scratchpad (null for solo or coop); unreadable files go to `problems`. */
export async function readTeamView(pair: PairFolder, problems: string[]): Promise<TeamView | null> {
  if (pair.setting !== 'team') return null
  const result = pair.result?.setting === 'team' ? pair.result : null
  const roles: TeamView['roles'] = Object.fromEntries(
    Object.entries(result?.agents ?? {}).map(([id, agent]) => [id, agent.team_role === 'lead' ? ('lead' as const) : ('member' as const)]),
  )
  const log = await readJsonList(join(pair.dir, TeamFiles.taskLog), problems)
  const tasks = await readJsonList(join(pair.dir, TeamFiles.tasks), problems)
  const titles = new Map<string, string>()
  for (const entry of [...tasks, ...log]) {
    const id = text(entry.id ?? entry.task_id)
    if (id !== null && typeof entry.title === 'string') titles.set(id, entry.title)
  }
  return {
    lead: typeof result?.lead_agent === 'string' ? result.lead_agent : null,
    roles,
    features: readTeamFeatures(result?.team_features),
    // `{}` (no task list, as upstream writes it) shows as no metrics.
    metrics: hasTeamMetrics(result?.metrics) ? result!.metrics : null,
    events: log.map((entry) => taskEvent(entry, titles)).filter((e): e is TaskBoardEvent => e !== null),
    tasks: tasks.map(taskView).filter((t): t is TeamTaskView => t !== null),
    scratchpad: await readScratchpad(join(pair.dir, TeamFiles.scratchpad), problems),
  }
}

/** One audit-log entry as the timeline shows it: who did what to which task, when. Entries without a kind are skipped. */
function taskEvent(entry: Record<string, unknown>, titles: Map<string, string>): TaskBoardEvent | null {
  const kind = text(entry.kind)
  if (kind === null) return null
  // Protocol events (`request`, `response`) name a request, not a task: its id stands in the task's place.
  const taskId = text(entry.task_id) ?? text(entry.request_id) ?? ''
  const parts: string[] = []
  if (kind === 'create' && typeof entry.owner === 'string' && entry.owner !== '') parts.push(`assigned to ${entry.owner}`)
  if ((kind === 'request' || kind === 'response') && typeof entry.to === 'string') parts.push(`to ${entry.to}`)
  if (kind === 'request' && typeof entry.request_kind === 'string') parts.push(entry.request_kind)
  if ((kind === 'request' || kind === 'response') && typeof entry.body === 'string' && entry.body !== '') parts.push(entry.body)
  if (typeof entry.status === 'string') parts.push(`→ ${entry.status}`)
  if (typeof entry.note === 'string' && entry.note !== '') parts.push(entry.note)
  return {
    kind,
    taskId,
    title: titles.get(taskId) ?? null,
    by: text(entry.by),
    at: timeOf(entry.ts),
    detail: parts.join(' · '),
  }
}

function taskView(entry: Record<string, unknown>): TeamTaskView | null {
  const id = text(entry.id)
  if (id === null) return null
  return {
    id,
    title: typeof entry.title === 'string' ? entry.title : '',
    owner: typeof entry.owner === 'string' && entry.owner !== '' ? entry.owner : null,
    status: text(entry.status),
    note: typeof entry.last_note === 'string' && entry.last_note !== '' ? entry.last_note : null,
  }
}

/** The scratchpad's files at the end, sorted by path: text inline, binary or large files by size only. */
async function readScratchpad(root: string, problems: string[]): Promise<ScratchpadFile[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => [])
  const paths = entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
  const files: ScratchpadFile[] = []
  for (const path of paths.slice(0, MAX_FILES)) {
    const name = relative(root, path).split(sep).join('/')
    const size = (await stat(path)).size
    if (size > MAX_TEXT_BYTES) {
      files.push({ path: name, size, text: null, note: `larger than ${MAX_TEXT_BYTES / 1024} KiB: not shown` })
      continue
    }
    const bytes = await readFile(path)
    const binary = bytes.includes(0)
    files.push({ path: name, size, text: binary ? null : bytes.toString('utf8'), note: binary ? 'binary: not shown' : null })
  }
  if (paths.length > MAX_FILES) problems.push(`${TeamFiles.scratchpad}/ holds ${paths.length} files; the first ${MAX_FILES} are listed`)
  return files
}

/** A JSON file holding a list of objects; [] when it is absent, [] and a problem when it is not such a list. */
async function readJsonList(path: string, problems: string[]): Promise<Array<Record<string, unknown>>> {
  const raw = await readFile(path, 'utf8').catch(() => null)
  if (raw === null) return []
  const name = path.split(sep).at(-1)
  try {
    const value: unknown = JSON.parse(raw)
    // tasks.json may be a list or an object keyed by id.
    const list = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : null
    if (list === null) throw new Error('not a list')
    return list.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v))
  } catch (error) {
    problems.push(`${name} is not a JSON list (${(error as Error).message})`)
    return []
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null
}
