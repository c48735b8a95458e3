import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { TaskList } from '@cooperbench/spec'
import { pythonJsonDumps, TEAM_FLOAT_KEYS } from '@cooperbench/spec-utils/host'
import type { TeamTask, TeamTaskEvent } from '@cooperbench/spec/team'
import { teamTaskTimestamp } from '@cooperbench/spec-utils/team'
import { writeFileAtomic } from '../../util/atomic-write.js'

/** The mirror's files inside its folder (`/workspace/shared/tasks/` in the sandboxes), upstream's names. */
export const MirrorFiles = {
  task: (id: string) => `${id}.json`,
  index: '_index.json',
  log: '_log.jsonl',
} as const

/** `_index.json`: upstream's "cheap `ls` target", the time of the snapshot and every task's id in id order. */
export interface MirrorIndex {
  /** Seconds since the epoch, with a fraction (upstream's `time.time()`). */
  updated_at: number
  ids: string[]
}

/**
 * The task list as files in the scratchpad, byte for byte as upstream's `fs_mirror.mirror_to_directory`
 * writes them (`/workspace/shared/tasks/`): one `<id>.json` per task (`json.dumps(task, indent=2)`),
 * `_index.json` (`{"updated_at": …, "ids": […]}`) and `_log.jsonl` (the audit log, one
 * `json.dumps(event)` a line); a `<id>.json` whose task is gone is removed, as upstream removes it.
 * Each file is replaced atomically so an agent never reads a torn file. The harness refreshes the
 * mirror after every change it makes to the list; refreshes run one at a time, each reading the
 * list afresh, so the last one written is the list's latest state.
 */
export class TaskMirror {
  private queue: Promise<void> = Promise.resolve()
  private readonly written = new Map<string, string>()

  constructor(
    private readonly list: TaskList,
    /** The mirror's folder on the harness's host (`<scratchpad>/tasks`). */
    readonly dir: string,
  ) {}

  /** Brings the files up to date with the list; rejects when the list or the folder fails. */
  refresh(): Promise<void> {
    const next = this.queue.then(() => this.write())
    // A failed refresh does not stop later ones; its caller gets the failure.
    this.queue = next.catch(() => {})
    return next
  }

  private async write(): Promise<void> {
    const [tasks, log] = await Promise.all([this.list.list(), this.list.log()])
    for (const task of tasks) {
      const text = mirrorTaskText(task)
      if (this.written.get(task.id) === text) continue
      await writeFileAtomic(join(this.dir, MirrorFiles.task(task.id)), text)
      this.written.set(task.id, text)
    }
    await this.removeGone(new Set(tasks.map((task) => task.id)))
    const index: MirrorIndex = { updated_at: teamTaskTimestamp(), ids: tasks.map((task) => task.id).sort() }
    await writeFileAtomic(join(this.dir, MirrorFiles.index), pythonJsonDumps(index, { indent: 2, floatKeys: TEAM_FLOAT_KEYS }))
    await writeFileAtomic(join(this.dir, MirrorFiles.log), mirrorLogText(log))
  }

  /** Upstream's step 2: every `*.json` but the `_` files whose stem is no task's id goes. */
  private async removeGone(live: ReadonlySet<string>): Promise<void> {
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!name.endsWith('.json') || name.startsWith('_') || live.has(name.slice(0, -'.json'.length))) continue
      await rm(join(this.dir, name), { force: true }).catch(() => {})
      this.written.delete(name.slice(0, -'.json'.length))
    }
  }
}

/** A task's `<id>.json`: its fields in the order of upstream's Redis hash, as `json.dumps(task, indent=2)`. */
export function mirrorTaskText(task: TeamTask): string {
  const { id, title, owner, status, created_by, created_at, last_note, metadata, ...added } = task
  const ordered = { id, title, owner, status, created_by, created_at, last_note, metadata, ...added }
  return pythonJsonDumps(ordered, { indent: 2, floatKeys: TEAM_FLOAT_KEYS })
}

/** `_log.jsonl`: one `json.dumps(event)` a line, each ended by a newline; empty without events. */
export function mirrorLogText(log: readonly TeamTaskEvent[]): string {
  return log.map((event) => `${pythonJsonDumps(event, { floatKeys: TEAM_FLOAT_KEYS })}\n`).join('')
}

/**
 * The list as the harness hands it to the agents' command servers: every change (create, claim,
 * update, request, respond) is followed by `changed()` before the caller gets its answer, so an agent that reads the
 * mirror right after a command sees its effect. A failing `changed()` is reported, not thrown: the
 * change itself took effect and its answer must say so.
 */
export function withChangeHook(list: TaskList, changed: () => Promise<void>, onError: (error: unknown) => void): TaskList {
  const after = async <T>(result: T): Promise<T> => {
    await changed().catch(onError)
    return result
  }
  return {
    specificationVersion: list.specificationVersion,
    namespace: list.namespace,
    create: async (by, title, options) => after(await list.create(by, title, options)),
    claim: async (taskId, by) => after(await list.claim(taskId, by)),
    update: async (taskId, by, status, note) => after(await list.update(taskId, by, status, note)),
    get: (taskId) => list.get(taskId),
    list: (filter) => list.list(filter),
    log: () => list.log(),
    request: async (by, to, kind, body) => after(await list.request(by, to, kind, body)),
    respond: async (requestId, by, body) => after(await list.respond(requestId, by, body)),
    pending: (agentId) => list.pending(agentId),
    awaitResponse: (requestId, timeoutMs, signal) => list.awaitResponse(requestId, timeoutMs, signal),
    clear: () => list.clear(),
    close: () => list.close(),
  }
}
