#!/usr/bin/env node
/**
 * Writes dataset/expected/demo-verdicts.json: what the oracle gets on every pair of the demo
 * dataset, in coop and in solo, on the local backend (apply and merge outcomes, per-feature
 * test counts, verdicts, errors). Backends' end-to-end tests compare their runs with this file
 * instead of running the local backend again; the gold-patch test
 * (packages/cli/test/eval/demo-dataset.test.ts) evaluates the gold patches itself and fails when
 * the file disagrees. Run `pnpm dataset:expected` after changing a demo task; needs a build and
 * bubblewrap (the local backend).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const DEMO_DATASET = join(ROOT, 'dataset')
export const EXPECTED_VERDICTS = join(DEMO_DATASET, 'expected', 'demo-verdicts.json')

/** What matters of an eval.json when two runs are compared: apply and merge outcomes, verdicts, errors. */
export function verdictOf(record) {
  const feature = (f) => ({ passed: f.passed, tests_passed: f.tests_passed, tests_failed: f.tests_failed })
  return {
    apply_status: record.apply_status,
    merge: record.merge && { status: record.merge.status, strategy: record.merge.strategy },
    feature1: feature(record.feature1),
    feature2: feature(record.feature2),
    both_passed: record.both_passed,
    error: record.error,
  }
}

/** `textkit_task/7/1,2`: the key of a pair in the file (and the label the evaluator tests use). */
export const pairKey = (repo, taskId, features) => `${repo}/${taskId}/${features.join(',')}`

/** The policies the file holds coop verdicts of: `coop` is the default one's, `coop@<policy>` the others'. */
export const DEFAULT_POLICY = 'cooperbench-0.0.16'
export const OTHER_POLICIES = ['cooperbench-0.0.14']

/** The key of a coop verdict under `policy` in a pair's entry. */
export const coopKey = (policy) => (policy === undefined || policy === DEFAULT_POLICY ? 'coop' : `coop@${policy}`)

/** The eval.json (or a re-score's `eval.<policy>.json`) of every pair of one run and setting, by pair key, in folder order. */
function evalRecords(logs, run, setting, file = 'eval.json') {
  const records = {}
  const root = join(logs, run, setting)
  for (const repo of readdirSync(root).sort()) {
    for (const task of readdirSync(join(root, repo)).sort((a, b) => Number(a) - Number(b))) {
      for (const pair of readdirSync(join(root, repo, task)).sort()) {
        const record = JSON.parse(readFileSync(join(root, repo, task, pair, file), 'utf8'))
        records[pairKey(record.repo, record.task_id, record.features)] = record
      }
    }
  }
  return records
}

/** One line per pair and setting, so a change to the dataset shows as a readable diff. */
function formatted(file) {
  const lines = Object.entries(file.pairs).map(
    ([key, entry]) =>
      `    ${JSON.stringify(key)}: {\n${Object.entries(entry)
        .map(([name, verdict]) => `      ${JSON.stringify(name)}: ${JSON.stringify(verdict)}`)
        .join(',\n')}\n    }`,
  )
  return `{\n  "description": ${JSON.stringify(file.description)},\n  "pairs": {\n${lines.join(',\n')}\n  }\n}\n`
}

function main() {
  const work = mkdtempSync(join(tmpdir(), 'cb-expected-verdicts-'))
  try {
    const logs = join(work, 'logs')
    const bySetting = {}
    for (const setting of ['coop', 'solo']) {
      const args = [
        'run',
        '-a',
        'oracle',
        '--setting',
        setting,
        '--backend',
        'local',
        '-c',
        '4',
        '-n',
        setting,
        '--dataset-dir',
        DEMO_DATASET,
        '--log-dir',
        logs,
      ]
      console.error(`cooperbench ${args.join(' ')}`)
      const r = spawnSync(process.execPath, [join(ROOT, 'packages', 'cli', 'bin', 'run.js'), ...args], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] })
      if (r.status !== 0) throw new Error(`the oracle run (${setting}) exited with ${r.status}`)
      bySetting[setting] = evalRecords(logs, setting, setting)
    }
    // The same coop patches judged under every other policy, beside the run's own verdicts.
    const rescored = {}
    for (const policy of OTHER_POLICIES) {
      const args = ['eval', '-n', 'coop', '--policy', policy, '--backend', 'local', '-c', '4', '--dataset-dir', DEMO_DATASET, '--log-dir', logs]
      console.error(`cooperbench ${args.join(' ')}`)
      const r = spawnSync(process.execPath, [join(ROOT, 'packages', 'cli', 'bin', 'run.js'), ...args], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] })
      if (r.status !== 0) throw new Error(`the re-score under ${policy} exited with ${r.status}`)
      rescored[policy] = evalRecords(logs, 'coop', 'coop', `eval.${policy}.json`)
    }
    const pairs = {}
    for (const key of Object.keys(bySetting.coop)) {
      if (!bySetting.solo[key]) throw new Error(`pair ${key} has a coop record but no solo record`)
      pairs[key] = { coop: verdictOf(bySetting.coop[key]) }
      for (const policy of OTHER_POLICIES) pairs[key][coopKey(policy)] = verdictOf(rescored[policy][key])
      pairs[key].solo = verdictOf(bySetting.solo[key])
    }
    const file = {
      description:
        'The oracle on every pair of the demo dataset (local backend): apply and merge outcomes and per-feature verdicts; ' +
        '`coop` under the default evaluation policy (cooperbench-0.0.16), `coop@<policy>` the same patches re-scored under another. ' +
        'Written by `pnpm dataset:expected`; checked by packages/cli/test/eval/demo-dataset.test.ts.',
      pairs,
    }
    writeFileSync(`${EXPECTED_VERDICTS}.tmp`, formatted(file))
    renameSync(`${EXPECTED_VERDICTS}.tmp`, EXPECTED_VERDICTS)
    console.error(`wrote ${Object.keys(pairs).length} pairs to ${EXPECTED_VERDICTS}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main()
