/** `f1_f5`: the folder name of a pair. */
export function pairFolderName(features: readonly number[]): string {
  return features.map((id) => `f${id}`).join('_')
}

/** `pallets_jinja_task/1621/1,5`: how summaries name a pair. */
export function pairLabel(repo: string, taskId: number, features: readonly number[]): string {
  return `${repo}/${taskId}/${features.join(',')}`
}
