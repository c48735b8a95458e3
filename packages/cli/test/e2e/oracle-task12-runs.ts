import { cp } from 'node:fs/promises'
import { join } from 'node:path'
import { sharedOnce } from '../../../../scripts/test/shared-once.js'
import { DEMO_DATASET, describeResult, makeWorkdir, runCli } from './helpers.js'

/**
 * The oracle's runs of every pair of textkit_task 12 (six; its gold patches of 1,4 and 2,3
 * conflict, and 2,3 still passes through the union merge), `solo` and `coop`, both scored under
 * cooperbench-0.0.14 (naive, then union), made once per suite run by the real CLI on the local
 * backend for the files that only read such runs (report, analyze, eval --force -f, records that
 * cannot be read). Verdicts of the oracle: solo passes all six; coop passes five, fails 1,4.
 * Read-only: `oracleTask12Run` copies a run into a test's own log dir.
 */
async function oracleTask12Runs(): Promise<string> {
  const dir = await sharedOnce('oracle-task12-runs', async (dir) => {
    const w = await makeWorkdir('oracle-task12-runs', 'file')
    const slice = ['-a', 'oracle', '-r', 'textkit_task', '-t', '12', '-c', '6', '--policy', 'cooperbench-0.0.14', '--dataset-dir', DEMO_DATASET]
    for (const setting of ['solo', 'coop']) {
      const args = ['run', ...slice, '--setting', setting, '-n', setting]
      const r = await runCli(args, { cwd: dir, tmp: w.tmp, timeoutMs: 300_000 })
      if (r.code !== 0) throw new Error(`cooperbench ${args.join(' ')} failed:\n${describeResult(r)}`)
    }
  })
  return join(dir, 'logs')
}

/** Copies the shared `setting` run (`solo` or `coop`) into `logs` as `name` (its own name by default). */
export async function oracleTask12Run(setting: 'solo' | 'coop', logs: string, name: string = setting): Promise<string> {
  const to = join(logs, name)
  await cp(join(await oracleTask12Runs(), setting), to, { recursive: true })
  return to
}
