import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EvalRecord, Task } from '@cooperbench/spec'

/**
 * The digest of the task inputs a verdict is made with: each feature's `feature.md` and
 * `tests.patch` (in feature order) and the task's `runner.sh`, as `sha256:<hex>`. Each file enters
 * with its name and length (an absent one as absent), so moving bytes between files changes it.
 * A verdict whose recorded digest differs from its task's now was made with other tests: it is
 * stale, and is judged again rather than reused.
 */
export async function evalInputsDigest(task: Task, features: readonly number[]): Promise<string> {
  const hash = createHash('sha256')
  const add = async (name: string, path: string) => {
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null
      throw error
    })
    hash.update(`${name}\0${bytes === null ? 'absent' : bytes.byteLength}\0`)
    if (bytes !== null) hash.update(bytes)
  }
  for (const id of [...features].sort((a, b) => a - b)) {
    const dir = task.features.find((f) => f.id === id)?.dir ?? join(task.dir, `feature${id}`)
    await add(`feature${id}/feature.md`, join(dir, 'feature.md'))
    await add(`feature${id}/tests.patch`, join(dir, 'tests.patch'))
  }
  await add('runner.sh', join(task.dir, 'runner.sh'))
  return `sha256:${hash.digest('hex')}`
}

/**
 * Whether a kept verdict was made with other task inputs than `current`. A record written before
 * verdicts carried their inputs' digest cannot tell, and is kept as before.
 */
export function isStaleVerdict(record: EvalRecord, current: string): boolean {
  return typeof record.inputs_digest === 'string' && record.inputs_digest !== current
}

/** What a run or `eval` says when it judges pairs again because their task inputs changed. */
export function staleVerdictsNote(count: number): string {
  return `${count} earlier verdict(s) were made with other task inputs (feature.md, tests.patch or runner.sh changed since): evaluating them again`
}
