import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Sandbox } from '@cooperbench/spec'
import { pythonJsonDumps } from '@cooperbench/spec-utils/host'
import type { TaskList, TeamTask, TeamTaskEvent } from '../task-list/task-types.js'
import { teamTaskTimestamp } from '../task-list/task-rules.js'
import { TEAM_FLOAT_KEYS } from '../team-types.js'

/** The mirror's files inside its folder (`/workspace/shared/tasks/` in the sandboxes), upstream's names. */
export const MirrorFiles = { task: (id: string) => `${id}.json`, index: '_index.json', log: '_log.jsonl' } as const

/** Where a mirror's files go: a folder of this machine, or a folder inside one sandbox. */
interface MirrorTarget {
  /** Writes `files` (name → text), each replaced in one step, and removes every `<id>.json` whose id is not in `live`. */
  write(files: ReadonlyMap<string, string>, live: ReadonlySet<string>): Promise<void>
}

/**
 * Byte for byte as upstream's `fs_mirror.mirror_to_directory`: `<id>.json` per task (a gone task's removed), `_index.json`,
 * `_log.jsonl`. Files are replaced atomically; refreshes run one at a time, each reading afresh, so the last written is the latest.
 */
export class TaskMirror {
  private queue: Promise<void> = Promise.resolve()
  private readonly target: MirrorTarget

  constructor(
    private readonly list: TaskList,
    /** The mirror's folder on the harness's host (`<scratchpad>/tasks`), or another target. */
    target: string | MirrorTarget,
  ) {
    this.target = typeof target === 'string' ? hostMirrorTarget(target) : target
  }

  /** Brings the files up to date with the list; rejects when the list or the folder fails. */
  refresh(): Promise<void> {
    const next = this.queue.then(() => this.write())
    // A failed refresh does not stop later ones; its caller gets the failure.
    this.queue = next.catch(() => {})
    return next
  }

  private async write(): Promise<void> {
    const [tasks, log] = await Promise.all([this.list.list(), this.list.log()])
    const files = new Map(tasks.map((task) => [MirrorFiles.task(task.id), mirrorTaskText(task)]))
    // `_index.json`: upstream's "cheap `ls` target", the snapshot's `time.time()` and every task's id in id order.
    const index = { updated_at: teamTaskTimestamp(), ids: tasks.map((task) => task.id).sort() }
    files.set(MirrorFiles.index, pythonJsonDumps(index, { indent: 2, floatKeys: TEAM_FLOAT_KEYS }))
    files.set(MirrorFiles.log, mirrorLogText(log))
    await this.target.write(files, new Set(index.ids))
  }
}

/** A folder of this machine (the scratchpad's `tasks/`): a task's file is rewritten only when the task changed. */
function hostMirrorTarget(dir: string): MirrorTarget {
  const written = new Map<string, string>()
  return {
    async write(files, live) {
      await mkdir(dir, { recursive: true })
      for (const [name, text] of files) {
        if (!name.startsWith('_') && written.get(name) === text) continue
        await replaceFile(join(dir, name), text)
        written.set(name, text)
      }
      // Upstream's step 2: every `*.json` but the `_` files whose stem is no task's id goes.
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (!name.endsWith('.json') || name.startsWith('_') || live.has(name.slice(0, -'.json'.length))) continue
        await rm(join(dir, name), { force: true }).catch(() => {})
        written.delete(name)
      }
    },
  }
}

/** A folder inside one sandbox (upstream's mirror without the scratchpad, in its own `/workspace/shared/tasks`), written in one command. */
export function sandboxMirrorTarget(sandbox: Sandbox, dir: string, signal?: AbortSignal): MirrorTarget {
  return {
    async write(files, live) {
      const writes = [...files].map(([name, text]) => `w ${name} ${Buffer.from(text).toString('base64')}`)
      const script = [
        `set -e; d=${dir}; mkdir -p "$d"`,
        'w() { printf %s "$2" | base64 -d > "$d/.$1.tmp" && mv "$d/.$1.tmp" "$d/$1"; }',
        ...writes,
        `live=' ${[...live].join(' ')} '`,
        'for f in "$d"/*.json; do n=${f##*/}; case "$n" in _*) continue ;; esac; case "$live" in *" ${n%.json} "*) ;; *) rm -f "$f" ;; esac; done',
      ].join('\n')
      const done = await sandbox.exec(['sh', '-c', script], { cwd: '/', timeoutMs: 60_000, ...(signal ? { signal } : {}) })
      if (done.exitCode !== 0) throw new Error(`the task mirror in the sandbox could not be written (exit ${done.exitCode}): ${done.stderr.trim()}`)
    },
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

/** Each change awaits `changed()` before answering, so the mirror read after shows it; a failure is reported, not thrown (the change took effect). */
export function withChangeHook(list: TaskList, changed: () => Promise<void>, onError: (error: unknown) => void): TaskList {
  const after = async <T>(change: Promise<T>): Promise<T> => {
    const result = await change
    await changed().catch(onError)
    return result
  }
  return {
    create: (...args) => after(list.create(...args)),
    claim: (...args) => after(list.claim(...args)),
    update: (...args) => after(list.update(...args)),
    get: (taskId) => list.get(taskId),
    list: (filter) => list.list(filter),
    log: () => list.log(),
    request: (...args) => after(list.request(...args)),
    respond: (...args) => after(list.respond(...args)),
    pending: (agentId) => list.pending(agentId),
    awaitResponse: (requestId, timeoutMs, signal) => list.awaitResponse(requestId, timeoutMs, signal),
  }
}

/** Replaces a mirror file in one step (written beside it, then renamed), so an agent never reads a torn file. */
async function replaceFile(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp-${randomBytes(4).toString('hex')}`
  try {
    await mkdir(dirname(path), { recursive: true })
    await writeFile(temp, text)
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {})
    throw error
  }
}
