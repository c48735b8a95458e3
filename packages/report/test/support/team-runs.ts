/**
 * Team run folders written for the report's tests, in the shape of upstream 0.0.16's team runs
 * (`<run>/team/<repo>/<task>/f1_f2/`: result.json with the lead, roles, features and metrics;
 * eval.json under cooperbench-0.0.16 with its merge strategy; config.json's team fingerprint),
 * and solo runs of the same pairs to set them against.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { scanRun } from '@cooperbench/results'
import type { TeamFeatures } from '@cooperbench/setting-team'
import { teamReporter } from '@cooperbench/setting-team'
import { cellValues } from '@cooperbench/spec-utils/report'
import { buildReport, type ReportRun, type RunReport } from '../../src/model/report.js'
import { readRunFingerprints } from '../../src/readers/run-fingerprints.js'
import { tempFolderOfThisFile } from '../../../../scripts/test/after-every.js'

/** One pair of a run: task `i + 1` of `a_task`, its verdict and (team) how the tested tree was made. */
export type TeamPair = { pass: boolean; strategy?: 'naive' | 'solo-agent1' | 'skip-merge-identical'; seconds?: number; firstClaim?: number | null } | 'error'

export interface RunSpec {
  setting: 'solo' | 'team'
  model?: string
  features?: Partial<TeamFeatures>
  policy?: string
  messaging?: boolean
  /** Leave out config.json (a run copied without it). */
  noConfig?: boolean
  /** The run's first pair starts at this ISO time; pairs start a minute apart. */
  startedAt?: string
}

export const ALL_ON: TeamFeatures = { task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true }

/** A run folder with one pair per entry (tasks 1, 2, …) and its config.json, read as `buildReport` reads it. */
export async function writtenRun(name: string, pairs: TeamPair[], spec: RunSpec): Promise<ReportRun> {
  const root = await tempFolderOfThisFile(`cb-team-report-${name}-`)
  const features = { ...ALL_ON, ...spec.features }
  const model = spec.model ?? 'gpt-5'
  const policy = spec.policy ?? 'cooperbench-0.0.16'
  const start = Date.parse(spec.startedAt ?? '2026-05-19T10:00:00Z')
  for (const [i, pair] of pairs.entries()) {
    const dir = join(root, spec.setting, 'a_task', String(i + 1), 'f1_f2')
    await mkdir(dir, { recursive: true })
    const seconds = pair === 'error' ? 60 : (pair.seconds ?? 60)
    const started = new Date(start + i * 60_000)
    const agent = {
      status: 'Submitted',
      cost: 0.1,
      steps: 3,
      input_tokens: 0,
      output_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      patch_lines: 2,
      error: null,
    }
    const firstClaim = pair === 'error' ? 5 : pair.firstClaim === undefined ? 5 : pair.firstClaim
    const result = {
      repo: 'a_task',
      task_id: i + 1,
      features: [1, 2],
      setting: spec.setting,
      run_id: name,
      run_name: name,
      agent_framework: 'mini_swe_agent',
      model,
      started_at: started.toISOString(),
      ended_at: new Date(started.getTime() + seconds * 1000).toISOString(),
      duration_seconds: seconds,
      total_cost: 0.2,
      total_steps: 6,
      log_dir: dir,
      ...(spec.setting === 'solo'
        ? { agent }
        : {
            agents: { agent1: { ...agent, feature_id: 1, team_role: 'lead' }, agent2: { ...agent, feature_id: 2, team_role: 'member' } },
            messages_sent: 2,
            lead_agent: 'agent1',
            team_features: features,
            ...(features.task_list
              ? {
                  metrics: {
                    tasks_total: 2,
                    tasks_done: 2,
                    unowned_at_end: 0,
                    time_to_first_claim_seconds: firstClaim,
                    claims_per_agent: firstClaim === null ? {} : { agent2: 1 },
                    updates_per_agent: { agent1: 1, agent2: 1 },
                  },
                }
              : {}),
          }),
    }
    const feature = (passed: boolean) => ({ feature_id: 1, passed, exit_code: passed ? 0 : 1, tests_passed: 1, tests_failed: passed ? 0 : 1, test_output: '' })
    const evaluation =
      pair === 'error'
        ? { repo: 'a_task', task_id: i + 1, features: [1, 2], setting: spec.setting, policy, both_passed: false, error: 'Sandbox failed to start', merge: null }
        : {
            repo: 'a_task',
            task_id: i + 1,
            features: [1, 2],
            setting: spec.setting,
            policy,
            merge:
              spec.setting === 'solo'
                ? null
                : {
                    status: pair.strategy === 'solo-agent1' ? 'conflicts' : pair.strategy === 'skip-merge-identical' ? 'identical' : 'clean',
                    strategy: pair.strategy ?? 'naive',
                    diff: '',
                  },
            feature1: feature(pair.pass),
            feature2: { ...feature(pair.pass), feature_id: 2 },
            both_passed: pair.pass,
            error: null,
          }
    await writeFile(join(dir, 'result.json'), JSON.stringify(result))
    await writeFile(join(dir, 'eval.json'), JSON.stringify(evaluation))
  }
  if (!spec.noConfig) {
    const fingerprint = {
      setting: spec.setting,
      agent: 'mini_swe_agent',
      model,
      messaging_enabled: spec.setting === 'team' ? (spec.messaging ?? true) : false,
      git_enabled: false,
      agent_config_digest: null,
      prompt_profile: 'cooperbench-v1',
      limits: { step_limit: 100, cost_limit: 1, agent_timeout_seconds: null },
      ...(spec.setting === 'team' ? { team_features: features } : {}),
    }
    const config = { setting: spec.setting, fingerprints: { [spec.setting]: { value: fingerprint, hash: 'h' } } }
    await writeFile(join(root, 'config.json'), JSON.stringify(config))
  }
  return { name, pairs: await scanRun(root), fingerprints: await readRunFingerprints(root) }
}

/** `n` pairs from a string: `p` pass (naive merge), `l` pass through the lead's patch alone, `i` identical patches, `f` fail, `e` eval error. */
export function pairsOf(pattern: string): TeamPair[] {
  return [...pattern].map((c) => {
    if (c === 'e') return 'error'
    if (c === 'l') return { pass: true, strategy: 'solo-agent1' }
    if (c === 'i') return { pass: true, strategy: 'skip-merge-identical' }
    return { pass: c === 'p' }
  })
}

/** The installed team setting's part of the report, as `cooperbench report` loads it from the plugin. */
export const TEAM_REPORTER = { team: teamReporter }

/** The report of team (and solo) runs with the team setting's sections, as the CLI builds it. */
export function teamReport(runs: ReportRun[]): RunReport {
  return buildReport(runs, {}, TEAM_REPORTER)
}

/** The rows of the setting's sections whose id starts with `id`, each cell as its value (`cellValues`; one value unwrapped). */
export function sectionRows(report: RunReport, id: string): unknown[][][] {
  return report.settingSections
    .filter((s) => s.id.startsWith(id))
    .map((s) => s.rows.map((row) => row.map((cell) => (cell.kind === 'fraction' ? `${cell.n}/${cell.of}` : unwrap(cellValues(cell))))))
}

const unwrap = (values: unknown[]) => (values.length === 1 ? values[0] : values)
