import { pairLabel } from '@cooperbench/spec-utils'
import { type PairFolder, type RunSummaryRecord, scanRun } from '@cooperbench/results'
import { pairsWithUnknownCost } from '@cooperbench/report/run-summary'

/** The run folder's pairs summary.json lists (the invocation's selection, not other selections' or setting's); none if unreadable. */
export async function summaryPairFolders(folder: string, summary: RunSummaryRecord): Promise<PairFolder[]> {
  const listed = new Set(summary.results.map((entry) => entry.task))
  const onDisk = await scanRun(folder).catch(() => [])
  return onDisk.filter((pair) => pair.setting === summary.setting && listed.has(pairLabel(pair.repo, pair.taskId, pair.features)))
}

/** Labels (`repo/task/ids`) of pairs whose agent called an unpriced model: recorded cost 0, not $0 (as `report` and the CLI decide it). */
export async function unknownCostLabels(pairs: readonly PairFolder[]): Promise<Set<string>> {
  const dirs = await pairsWithUnknownCost(pairs).catch(() => new Set<string>())
  return new Set(pairs.filter((pair) => dirs.has(pair.dir)).map((pair) => pairLabel(pair.repo, pair.taskId, pair.features)))
}
