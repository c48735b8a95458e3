import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Task } from '@cooperbench/core'
import { loadDataset } from '@cooperbench/dataset'
import { filterTestFiles, patchPaths } from '@cooperbench/spec-utils/patch'
import { DEMO_DATASET } from './helpers.js'

/**
 * What scripted models of the e2e tests need to play an agent that solves a demo feature: its
 * spec (to recognise the feature in the agent's task text) and its gold patch.
 */
export interface FeatureRef {
  task: Task
  id: number
  spec: string
  gold: string
}

const EOF = 'COOPERBENCH_GOLD_PATCH_EOF'

/** A shell heredoc writing `text` to `path`. */
export const heredoc = (path: string, text: string) => `cat > ${path} <<'${EOF}'\n${text.endsWith('\n') ? text : `${text}\n`}${EOF}`

/** Every feature of the demo dataset (of one repository when given). */
export async function featureIndex(repo?: string): Promise<FeatureRef[]> {
  const refs: FeatureRef[] = []
  for (const task of (await loadDataset(DEMO_DATASET)).tasks) {
    if (repo !== undefined && task.repo !== repo) continue
    for (const feature of task.features) {
      refs.push({
        task,
        id: feature.id,
        spec: (await readFile(join(feature.dir, 'feature.md'), 'utf8')).trim(),
        gold: await readFile(join(feature.dir, 'feature.patch'), 'utf8'),
      })
    }
  }
  return refs
}

/** Both features as one patch, without the tests (what an agent doing both would write). */
export async function combinedWithoutTests(task: Task): Promise<string> {
  const paths: string[] = []
  for (const f of task.features) paths.push(...patchPaths(await readFile(join(f.dir, 'tests.patch'), 'utf8')))
  return filterTestFiles(await readFile(join(task.dir, 'combined.patch'), 'utf8'), paths).patch
}

/** Shell lines applying two features' gold patches, else (when they overlap) their combined patch. */
export async function soloApplyCommand(a: FeatureRef, b: FeatureRef): Promise<string> {
  const combined = await combinedWithoutTests(a.task)
  return (
    `${heredoc('/tmp/a.patch', a.gold)}\n${heredoc('/tmp/b.patch', b.gold)}\n${heredoc('/tmp/c.patch', combined)}\n` +
    `(git apply /tmp/a.patch && git apply /tmp/b.patch) || (git checkout -q -- . && git clean -fdq && git apply /tmp/c.patch)\nrm -f /tmp/a.patch /tmp/b.patch /tmp/c.patch`
  )
}
