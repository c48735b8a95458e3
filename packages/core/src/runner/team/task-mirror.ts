import { join } from 'node:path'
import type { TaskList } from '@cooperbench/spec'
import type { TeamTask } from '@cooperbench/spec/team'
import { writeFileAtomic } from '../../util/atomic-write.js'

/** The mirror's files inside its folder (`/workspace/shared/tasks/` in the sandboxes), upstream's names. */
export const MirrorFiles = {
  task: (id: string) => `${id}.json`,
  index: '_index.json',
  log: '_log.jsonl',
} as const

/**
 * The task list as files in the scratchpad (upstream's fs mirror, `/workspace/shared/tasks/`):
 * one `<id>.json` per task, `_index.json` (every task's id, title, status and owner, in id order)
 * and `_log.jsonl` (the audit log, one event a line), each replaced atomically so an agent never
 * reads a torn file. The harness refreshes it after every change it makes to the list; refreshes
 * run one at a time, each reading the list afresh, so the last one written is the list's latest state.
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
      const text = `${JSON.stringify(task, null, 2)}\n`
      if (this.written.get(task.id) === text) continue
      await writeFileAtomic(join(this.dir, MirrorFiles.task(task.id)), text)
      this.written.set(task.id, text)
    }
    await writeFileAtomic(join(this.dir, MirrorFiles.index), `${JSON.stringify(tasks.map(indexEntry), null, 2)}\n`)
    await writeFileAtomic(join(this.dir, MirrorFiles.log), log.map((event) => `${JSON.stringify(event)}\n`).join(''))
  }
}

function indexEntry(task: TeamTask): Pick<TeamTask, 'id' | 'title' | 'status' | 'owner'> {
  return { id: task.id, title: task.title, status: task.status, owner: task.owner }
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
