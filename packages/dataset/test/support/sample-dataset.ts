import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The monorepo root, found from this file. */
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..')

/**
 * Three real tasks of the public dataset (jinja 1621, chi 26, react-hook-form 85), kept beside the
 * repository in a folder `shared/cooperbench-sample` next to the checkout (data only, not part of
 * the project); `COOPERBENCH_SAMPLE_DIR` points elsewhere.
 */
export const SAMPLE_DATASET = process.env.COOPERBENCH_SAMPLE_DIR ?? resolve(REPO_ROOT, '..', 'shared', 'cooperbench-sample')

/** Why the sample tests cannot run here, or null. */
export const sampleDatasetProblem: string | null = existsSync(SAMPLE_DATASET)
  ? null
  : `the reference sample tasks are not at ${SAMPLE_DATASET} (set COOPERBENCH_SAMPLE_DIR)`

/**
 * For `describe.skipIf(...)`: the reason to skip on a developer machine without the sample, and
 * false under CI, where the sample must be there.
 */
export function sampleDatasetSkip(): string | false {
  return process.env.CI ? false : (sampleDatasetProblem ?? false)
}

/** A describe title that says why its tests skip on this machine (see `sampleDatasetSkip`). */
export function sampleDatasetTitle(title: string): string {
  const skip = sampleDatasetSkip()
  return skip ? `${title} (skipped: ${skip})` : title
}

/** Throws under CI when the sample is missing, so its tests fail with the reason instead of a stray ENOENT. */
export function assertSampleDatasetInCi(): void {
  if (process.env.CI && sampleDatasetProblem) throw new Error(`${sampleDatasetProblem}, and CI is set: the sample dataset tests must run`)
}

/** Skips the calling test on a machine without the sample; fails under CI. */
export function requireSampleDataset(context: { skip: (note?: string) => void }): void {
  assertSampleDatasetInCi()
  if (sampleDatasetProblem) context.skip(sampleDatasetProblem)
}
