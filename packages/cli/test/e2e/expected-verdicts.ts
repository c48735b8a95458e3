import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
// @ts-expect-error: a plain .mjs script without types
import { EXPECTED_VERDICTS, coopKey, pairKey as keyOfPair, verdictOf as projectVerdict } from '../../../../scripts/expected-demo-verdicts.mjs'

/**
 * The committed verdicts of the demo dataset (dataset/expected/demo-verdicts.json, written by
 * `pnpm dataset:expected`, checked against the gold patches by test/eval/demo-dataset.test.ts):
 * a backend's run is right when its pairs get these verdicts, without running the local backend
 * again to compare.
 */
export interface Verdict {
  apply_status?: Record<string, string>
  merge: { status: string; strategy: string } | null
  feature1: { passed: boolean; tests_passed: number; tests_failed: number }
  feature2: { passed: boolean; tests_passed: number; tests_failed: number }
  both_passed: boolean
  error: string | null
}

export type Setting = 'coop' | 'solo'

/** What matters of an eval.json when two runs are compared: apply and merge outcomes, verdicts, errors. */
export const verdictOf: (record: Record<string, any>) => Verdict = projectVerdict

/** `textkit_task/7/1,2`: a pair's key in the file. */
export const pairKey: (repo: string, taskId: number, features: number[]) => string = keyOfPair

export const EXPECTED_VERDICTS_FILE: string = EXPECTED_VERDICTS

/** A pair's entry: `coop` (the default evaluation policy's verdict), `coop@<policy>` (another policy's), `solo`. */
export type ExpectedEntry = Record<Setting, Verdict> & Record<`coop@${string}`, Verdict>

let cached: Record<string, ExpectedEntry> | undefined
/** Every pair of the demo dataset, by key, with its expected coop (per evaluation policy) and solo verdicts. */
export function expectedVerdicts(): Record<string, ExpectedEntry> {
  cached ??= (JSON.parse(readFileSync(EXPECTED_VERDICTS, 'utf8')) as { pairs: Record<string, ExpectedEntry> }).pairs
  return cached
}

/** The expected verdict of a pair in `setting`, under the evaluation policy the record names (coop). */
export function expectedVerdict(key: string, setting: Setting, policy?: string): Verdict | undefined {
  const entry = expectedVerdicts()[key]
  return setting === 'solo' ? entry?.solo : (entry?.[coopKey(policy) as 'coop'] ?? undefined)
}

/** Checks one eval.json (of a pair folder) against the file, under the policy it was made with; a pair the file does not know fails. */
export function expectAsExpected(record: Record<string, any>, setting: Setting, where: string): void {
  const key = keyOfPair(record.repo, record.task_id, record.features)
  const expected = expectedVerdict(key, setting, record.policy)
  expect(expected, `${where}: ${key} (${record.policy ?? 'no policy'}) is not in ${EXPECTED_VERDICTS}`).toBeDefined()
  expect(verdictOf(record), `${where} (${key}, ${setting})`).toEqual(expected)
}

/** Checks every pair folder's eval.json against the file; a pair without one fails with what its result.json says. */
export function expectPairsAsExpected(pairDirs: string[], setting: Setting): void {
  for (const dir of pairDirs) {
    if (!existsSync(join(dir, 'eval.json'))) {
      const result = existsSync(join(dir, 'result.json')) ? readFileSync(join(dir, 'result.json'), 'utf8') : 'no result.json either'
      expect.fail(`${dir} has no eval.json; its result.json: ${result.slice(0, 4000)}`)
    }
    expectAsExpected(JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')), setting, dir)
  }
}
