import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { goldDatasetScript, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { sharedOnce } from '../../../../scripts/test/shared-once.js'
import { DEMO_DATASET, describeResult, makeWorkdir, REPO_ROOT, runCli } from './helpers.js'

/** The oracle's runs of one demo pair, in coop, solo and team (no model). */
export const ORACLE_RUNS = ['coop-or-demo', 'solo-or-demo', 'team-or-demo']
const UPSTREAM_COOP = join(REPO_ROOT, '..', 'shared', 'upstream-configs', '0.0.14-eb2075e', 'coop.yaml')
const SLICE = ['-s', 'demo', '-r', 'textkit_task', '-t', '7', '-f', '1,2', '--dataset-dir', DEMO_DATASET]
/**
 * A folder of this machine that a plugin option names (outside the log dir, the dataset, the working
 * dir and home), in every run's configuration: no bundle or export may carry it.
 */
export const HOST_PATH = '/opt/cooperbench-e2e-host/swe_agent'

/**
 * The runs the export and bundle tests read, made once per suite run by the real CLI on the local
 * backend: the oracle's (`ORACLE_RUNS`), and mini_swe_agent driven by the scripted model in coop
 * with messages both ways (`msa-coop`, the oracle's pair), in a team with the task list
 * (`msa-team`), and under upstream's own coop.yaml (`msa-ref`, when ../shared has it). One pair a
 * run. Read-only: a test that changes a run copies it first. `logs` is the `--log-dir`. Every run
 * records `HOST_PATH` as an option of an agent it does not use (config.json keeps the whole
 * configuration).
 */
export async function bundleDemoRuns(): Promise<{ logs: string; runs: string[] }> {
  const dir = await sharedOnce('bundle-demo-runs', async (dir) => {
    const server = await startScriptedLlmServer({ script: await goldDatasetScript(DEMO_DATASET) })
    try {
      const w = await makeWorkdir('bundle-demo-runs', 'file')
      const cli = async (args: string[]) => {
        const options = { cwd: dir, tmp: w.tmp, env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }, timeoutMs: 600_000 }
        const r = await runCli(args, options)
        if (r.code !== 0) throw new Error(`cooperbench ${args.join(' ')} failed:\n${describeResult(r)}`)
      }
      await writeFile(join(dir, 'cooperbench.config.json'), JSON.stringify({ agents: { swe_agent: { config_root: HOST_PATH } } }))
      for (const setting of ['coop', 'solo', 'team']) await cli(['run', '-a', 'oracle', '--setting', setting, '-n', `${setting}-or-demo`, ...SLICE])
      const model = ['-m', 'openai/scripted-model', '--model-base-url', server.url, '--dataset-dir', DEMO_DATASET]
      await cli(['run', '-n', 'msa-coop', '-r', 'textkit_task', '-t', '7', '-f', '1,2', ...model])
      await cli(['run', '-n', 'msa-team', '--setting', 'team', '-r', 'confkit_task', '-t', '5', '-f', '1,3', ...model])
      if (existsSync(UPSTREAM_COOP))
        await cli(['run', '-n', 'msa-ref', '-r', 'confkit_task', '-t', '5', '-f', '1,3', '--agent-config', UPSTREAM_COOP, ...model])
    } finally {
      await server.close()
    }
  })
  const logs = join(dir, 'logs')
  const runs = [...ORACLE_RUNS, 'msa-coop', 'msa-team', ...(existsSync(join(logs, 'msa-ref')) ? ['msa-ref'] : [])]
  return { logs, runs }
}
