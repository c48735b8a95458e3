/**
 * The mirror's files against upstream's `fs_mirror.mirror_to_directory` (racso1999/CooperBench,
 * `team_harness/fs_mirror.py`, PR #58): the expected texts below are what upstream's function wrote
 * for the same two tasks and three events, read from a real Redis (its `TaskListClient`), recorded
 * once with Python so this test needs none. Only upstream's output is recorded, never its code.
 */
import { spawnSync } from 'node:child_process'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MemoryLogs } from '@cooperbench/spec-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import { tempFolderOfThisFile } from '../../../scripts/test/after-every.js'
import { MirrorFiles, mirrorLogText, mirrorTaskText, sandboxMirrorTarget, TaskMirror } from '../src/harness/task-mirror.js'
import type { TeamTask, TeamTaskEvent } from '../src/task-list/task-types.js'
import { memoryTaskList } from './support/team-pair.js'

/** Upstream's `<id>.json` of each task, `json.dumps(task, indent=2, default=str)`. */
const UPSTREAM_TASK_FILES = {
  '0a1b2c3d4e':
    '{\n  "id": "0a1b2c3d4e",\n  "title": "Implement feature 5 (caf\\u00e9)",\n  "owner": "agent2",\n  "status": "done",\n  "created_by": "bench-runner",\n  "created_at": 100.0,\n  "last_note": "patch at /workspace/shared/agent2.patch",\n  "metadata": {\n    "feature_id": 5,\n    "assigned_to": "agent2"\n  }\n}',
  f0e1d2c3b4:
    '{\n  "id": "f0e1d2c3b4",\n  "title": "Lead-only: integrate and submit feature 2",\n  "owner": "agent1",\n  "status": "open",\n  "created_by": "bench-runner",\n  "created_at": 1795618576.145,\n  "last_note": "",\n  "metadata": {\n    "feature_id": 2,\n    "assigned_to": "agent1",\n    "lead_task": true\n  }\n}',
}
/** Upstream's `_log.jsonl`: `json.dumps(event)` a line. */
const UPSTREAM_LOG =
  '{"kind": "create", "task_id": "0a1b2c3d4e", "by": "bench-runner", "title": "Implement feature 5 (caf\\u00e9)", "ts": 100.0}\n' +
  '{"kind": "claim", "task_id": "0a1b2c3d4e", "by": "agent2", "ts": 1795618580.591}\n' +
  '{"kind": "update", "task_id": "0a1b2c3d4e", "by": "agent2", "status": "done", "note": "patch at /workspace/shared/agent2.patch", "ts": 1795618584.026}\n'
/** Upstream's `_index.json` for the same list, at the time it was written. */
const UPSTREAM_INDEX = '{\n  "updated_at": 1795618916.7146058,\n  "ids": [\n    "0a1b2c3d4e",\n    "f0e1d2c3b4"\n  ]\n}'

// The same list as our records hold it, fields in another order than upstream's hash.
const TASKS: TeamTask[] = [
  {
    metadata: { feature_id: 5, assigned_to: 'agent2' },
    id: '0a1b2c3d4e',
    status: 'done',
    title: 'Implement feature 5 (café)',
    owner: 'agent2',
    created_by: 'bench-runner',
    created_at: 100,
    last_note: 'patch at /workspace/shared/agent2.patch',
  },
  {
    id: 'f0e1d2c3b4',
    title: 'Lead-only: integrate and submit feature 2',
    owner: 'agent1',
    status: 'open',
    created_by: 'bench-runner',
    created_at: 1795618576.145,
    last_note: '',
    metadata: { feature_id: 2, assigned_to: 'agent1', lead_task: true },
  },
]
const LOG: TeamTaskEvent[] = [
  { kind: 'create', task_id: '0a1b2c3d4e', by: 'bench-runner', title: 'Implement feature 5 (café)', ts: 100 },
  { kind: 'claim', task_id: '0a1b2c3d4e', by: 'agent2', ts: 1795618580.591 },
  { kind: 'update', task_id: '0a1b2c3d4e', by: 'agent2', status: 'done', note: 'patch at /workspace/shared/agent2.patch', ts: 1795618584.026 },
]

describe("the task mirror's files, byte for byte as upstream's fs_mirror writes them", () => {
  it('<id>.json: the hash order, two-space indentation, ASCII escapes, times as floats, no final newline', () => {
    for (const task of TASKS) expect(mirrorTaskText(task)).toBe(UPSTREAM_TASK_FILES[task.id as keyof typeof UPSTREAM_TASK_FILES])
  })

  it('_log.jsonl: one json.dumps line per event, each ended by a newline; an empty log is an empty file', () => {
    expect(mirrorLogText(LOG)).toBe(UPSTREAM_LOG)
    expect(mirrorLogText([])).toBe('')
  })

  describe('written by the mirror', () => {
    let dir: string
    let logs: MemoryLogs
    beforeEach(async () => {
      dir = await tempFolderOfThisFile('task-mirror-layout-')
      logs = new MemoryLogs()
    })

    it("_index.json is {updated_at, ids}: upstream's layout, with the time of the snapshot", async () => {
      const list = memoryTaskList(logs, 'layout')
      const made = [await list.create('bench-runner', 'one'), await list.create('bench-runner', 'two')]
      const before = Date.now() / 1000
      await new TaskMirror(list, dir).refresh()
      const text = await readFile(join(dir, MirrorFiles.index), 'utf8')
      const index = JSON.parse(text)
      expect(Object.keys(index)).toEqual(['updated_at', 'ids'])
      expect(index.ids).toEqual(made.map((t) => t.id).sort())
      expect(index.updated_at).toBeGreaterThanOrEqual(before - 1)
      // The same text as upstream's once the time is the same.
      const upstream = JSON.parse(UPSTREAM_INDEX)
      expect(
        text
          .replace(/"updated_at": [0-9.]+/, '"updated_at": T')
          .replaceAll(index.ids[0], 'A')
          .replaceAll(index.ids[1], 'B'),
      ).toBe(
        UPSTREAM_INDEX.replace(/"updated_at": [0-9.]+/, '"updated_at": T')
          .replaceAll(upstream.ids[0], 'A')
          .replaceAll(upstream.ids[1], 'B'),
      )
      expect(await readFile(join(dir, MirrorFiles.log), 'utf8')).toBe(mirrorLogText(await list.log()))
    })

    it("removes a task file whose task is gone, as upstream does, and leaves the agents' other files", async () => {
      const list = memoryTaskList(logs, 'stale')
      const task = await list.create('bench-runner', 'one')
      await writeFile(join(dir, 'a0a0a0a0a0.json'), '{}')
      await writeFile(join(dir, 'notes.txt'), 'mine')
      await new TaskMirror(list, dir).refresh()
      expect((await readdir(dir)).sort()).toEqual([MirrorFiles.index, MirrorFiles.log, MirrorFiles.task(task.id), 'notes.txt'].sort())
    })

    it("inside a sandbox (without the scratchpad, upstream's coop-task-list wrote its own): the same files, in one command", async () => {
      const list = memoryTaskList(logs, 'in-sandbox')
      const task = await list.create('bench-runner', 'Implement feature 5 (café) "quoted" $x')
      await writeFile(join(dir, 'a0a0a0a0a0.json'), '{}')
      await writeFile(join(dir, 'notes.txt'), 'mine')
      let execs = 0
      // A sandbox whose commands run in a real sh here, so the script itself is what is checked.
      const sandbox = {
        exec: async (argv: string[]) => {
          execs++
          const done = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' })
          return { exitCode: done.status ?? -1, stdout: done.stdout, stderr: done.stderr }
        },
      }
      await new TaskMirror(list, sandboxMirrorTarget(sandbox as never, join(dir, 'tasks'))).refresh()
      await writeFile(join(dir, 'tasks', 'a0a0a0a0a0.json'), '{}')
      await new TaskMirror(list, sandboxMirrorTarget(sandbox as never, join(dir, 'tasks'))).refresh()
      expect(execs).toBe(2)
      expect((await readdir(join(dir, 'tasks'))).sort()).toEqual([MirrorFiles.index, MirrorFiles.log, MirrorFiles.task(task.id)].sort())
      expect(await readFile(join(dir, 'tasks', MirrorFiles.task(task.id)), 'utf8')).toBe(mirrorTaskText(task))
      expect(await readFile(join(dir, 'tasks', MirrorFiles.log), 'utf8')).toBe(mirrorLogText(await list.log()))
    })
  })
})
