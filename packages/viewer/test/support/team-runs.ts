import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TeamFeatures } from '@cooperbench/setting-team'
import { writeCoopRun, type WrittenPair } from './written-runs.js'

/**
 * A team run folder in upstream 0.0.16's shape, written by hand: a coop run of the same pairs
 * (trajectories, patches, messages) turned into `<run>/team/…` with the team's result.json keys,
 * eval.json under cooperbench-0.0.16, task_log.json, tasks.json and a scratchpad/ copy.
 */
export interface WrittenTeamRun {
  name: string
  pairs: Array<WrittenPair & { strategy?: 'naive' | 'solo-agent1' }>
  features?: Partial<TeamFeatures>
}

const ALL_ON: TeamFeatures = { task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true }

export async function writeTeamRun(logDir: string, run: WrittenTeamRun): Promise<void> {
  await writeCoopRun(logDir, { name: run.name, messaging: true, pairs: run.pairs })
  const root = join(logDir, run.name)
  await rename(join(root, 'coop'), join(root, 'team'))
  const features = { ...ALL_ON, ...run.features }
  for (const pair of run.pairs) {
    const dir = join(root, 'team', 'textkit_task', String(pair.task), 'f1_f2')
    const result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8'))
    const start = Date.parse(result.started_at) / 1000
    result.setting = 'team'
    result.log_dir = dir
    result.lead_agent = 'agent1'
    result.team_features = features
    result.agents.agent1.team_role = 'lead'
    result.agents.agent2.team_role = 'member'
    const log = [
      { kind: 'create', task_id: 'a1b2c3d4e5', by: 'agent1', title: 'Implement feature 2', owner: 'agent2', ts: start + 1 },
      { kind: 'create', task_id: 'f6e5d4c3b2', by: 'agent1', title: 'Integrate and submit', owner: 'agent1', ts: start + 1.5 },
      { kind: 'claim', task_id: 'a1b2c3d4e5', by: 'agent2', ts: start + 4 },
      { kind: 'update', task_id: 'a1b2c3d4e5', by: 'agent2', status: 'done', note: 'patch in /workspace/shared/agent2.patch', ts: start + 30 },
    ]
    const task = (id: string, title: string, owner: string, status: string, note: string) => ({
      id,
      title,
      owner,
      status,
      created_by: 'agent1',
      created_at: start + 1,
      last_note: note,
      metadata: {},
    })
    const tasks = [
      task('a1b2c3d4e5', 'Implement feature 2', 'agent2', 'done', 'patch in /workspace/shared/agent2.patch'),
      task('f6e5d4c3b2', 'Integrate and submit', 'agent1', 'open', ''),
    ]
    if (features.task_list) {
      result.metrics = {
        tasks_total: 2,
        tasks_done: 1,
        unowned_at_end: 0,
        time_to_first_claim_seconds: 3,
        claims_per_agent: { agent2: 1 },
        updates_per_agent: { agent2: 1 },
      }
      await writeFile(join(dir, 'task_log.json'), JSON.stringify(log))
      await writeFile(join(dir, 'tasks.json'), JSON.stringify(tasks))
    }
    if (features.scratchpad) {
      await mkdir(join(dir, 'scratchpad'), { recursive: true })
      await writeFile(join(dir, 'scratchpad', 'PLAN.md'), '# Plan\n- agent2: feature 2, patch to the scratchpad\n- agent1: integrate\n')
      await writeFile(join(dir, 'scratchpad', 'agent2.patch'), 'diff --git a/textkit/slug.py b/textkit/slug.py\n')
      // The harness mirrors the task list into the scratchpad only when there is one.
      if (features.task_list) {
        await mkdir(join(dir, 'scratchpad', 'tasks'), { recursive: true })
        await writeFile(join(dir, 'scratchpad', 'tasks', '_index.json'), JSON.stringify(tasks.map((t) => t.id)))
      }
      await writeFile(join(dir, 'scratchpad', 'blob.bin'), Buffer.from([0, 1, 2, 3]))
    }
    await writeFile(join(dir, 'result.json'), JSON.stringify(result))
    const evaluation = JSON.parse(await readFile(join(dir, 'eval.json'), 'utf8'))
    evaluation.setting = 'team'
    evaluation.policy = 'cooperbench-0.0.16'
    if (pair.strategy === 'solo-agent1') evaluation.merge = { status: 'conflicts', strategy: 'solo-agent1', diff: '' }
    await writeFile(join(dir, 'eval.json'), JSON.stringify(evaluation))
  }
  const config = JSON.parse(await readFile(join(root, 'config.json'), 'utf8'))
  const fingerprint = { ...config.fingerprints.coop.value, setting: 'team', team_features: features }
  await writeFile(
    join(root, 'config.json'),
    JSON.stringify({ ...config, setting: 'team', team_features: features, fingerprints: { team: { value: fingerprint, hash: run.name } } }),
  )
}
