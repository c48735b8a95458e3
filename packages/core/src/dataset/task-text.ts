import { join } from 'node:path'
import { type Task, CooperbenchError } from '@cooperbench/spec'
import { formatIds } from './format-ids.js'
import { readOptionalText } from './read-file.js'

/** The text of `feature<N>/feature.md`, verbatim (not trimmed or normalized): it is what the agent is told. */
export async function readFeatureSpec(task: Task, featureId: number): Promise<string> {
  const feature = task.features.find((candidate) => candidate.id === featureId)
  const name = `${task.repo}/task${task.taskId}`
  if (feature === undefined) {
    throw new CooperbenchError('DATASET_INVALID', `${name} has no feature${featureId} folder`, {
      hint: `The task has ${formatIds(task.features.map((f) => f.id))}; pick one of those.`,
    })
  }
  const path = join(feature.dir, 'feature.md')
  const text = await readOptionalText(path)
  if (text === null) {
    throw new CooperbenchError('DATASET_INVALID', `feature spec ${path} is missing`, {
      hint: 'Restore the file from the dataset, then check the rest with `cooperbench dataset validate`.',
    })
  }
  return text
}
