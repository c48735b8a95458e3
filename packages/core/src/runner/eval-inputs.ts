import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EvalRecord, ResultRecord, Task } from '@cooperbench/spec'

/**
 * `sha256:<hex>` of a verdict's inputs: each feature's `feature.md` and `tests.patch` in order, then `runner.sh`, each with name and
 * length (moving bytes between files changes it). A verdict whose digest differs from its task's now is stale: judged again.
 */
export function evalInputsDigest(task: Task, features: readonly number[]): Promise<string> {
  const files = featureDirs(task, features).flatMap(({ id, dir }) => [
    [`feature${id}/feature.md`, join(dir, 'feature.md')] as const,
    [`feature${id}/tests.patch`, join(dir, 'tests.patch')] as const,
  ])
  return filesDigest([...files, ['runner.sh', join(task.dir, 'runner.sh')]])
}

/** result.json's `task_text_digest` (each `feature.md`, as {@link evalInputsDigest}): on another text `run` reruns, `eval` refuses. */
export function taskTextDigest(task: Task, features: readonly number[]): Promise<string> {
  return filesDigest(featureDirs(task, features).map(({ id, dir }) => [`feature${id}/feature.md`, join(dir, 'feature.md')] as const))
}

/** Whether a pair's agents got another task text than `current` ({@link taskTextDigest}); an older result.json without one is trusted. */
export function ranWithOtherTaskText(result: ResultRecord | null, current: string): boolean {
  return typeof result?.task_text_digest === 'string' && result.task_text_digest !== current
}

/** Whether a kept verdict was made with other task inputs than `current`; an older record without a digest is kept. */
export function isStaleVerdict(record: EvalRecord, current: string): boolean {
  return typeof record.inputs_digest === 'string' && record.inputs_digest !== current
}

/** What a run or `eval` says when it judges pairs again because their task inputs changed. */
export function staleVerdictsNote(count: number): string {
  return `${count} earlier verdict(s) were made with other task inputs (feature.md, tests.patch or runner.sh changed since): evaluating them again`
}

/** What a resumed run says when it runs pairs again because their task text changed since their agents ran. */
export function otherTaskTextRunNote(count: number): string {
  return `${count} finished pair(s) were run with another task text (feature.md changed since their agents ran): running their agents again`
}

/** The error of a pair `eval` refuses to judge: its agents worked on another task text. */
export const OTHER_TASK_TEXT_ERROR =
  "the task text (feature.md) changed since the pair's agents ran: their patches answer another task and are not judged; " +
  "`cooperbench run` with the run's options runs the pair's agents again (`--force`: every pair)"

/** What `eval` says when it refuses pairs whose task text changed since their agents ran. */
export function otherTaskTextEvalNote(count: number): string {
  return (
    `${count} pair(s) were run with another task text (feature.md changed since their agents ran): not judged, recorded as errors; ` +
    "`cooperbench run` with the run's options runs their agents again"
  )
}

/** Each feature's folder, ascending by id. */
function featureDirs(task: Task, features: readonly number[]): Array<{ id: number; dir: string }> {
  return [...features].sort((a, b) => a - b).map((id) => ({ id, dir: task.features.find((f) => f.id === id)?.dir ?? join(task.dir, `feature${id}`) }))
}

/** `sha256:<hex>` of the files, each entering with its name and length (an absent one as absent). */
async function filesDigest(files: ReadonlyArray<readonly [name: string, path: string]>): Promise<string> {
  const hash = createHash('sha256')
  for (const [name, path] of files) {
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null
      throw error
    })
    hash.update(`${name}\0${bytes === null ? 'absent' : bytes.byteLength}\0`)
    if (bytes !== null) hash.update(bytes)
  }
  return `sha256:${hash.digest('hex')}`
}
