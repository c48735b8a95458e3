import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
/** The demo dataset's task whose real patches the pair's agents submit. */
const TASK = fileURLToPath(new URL('../../../../dataset/textkit_task/task7', import.meta.url))

/** What the implementer hands over besides its patch (its seat's artifact, `plan.txt`). */
export const PLAN = 'Plan for the reviewer\n1. slugify takes max_length (done, textkit/slug.py)\n2. add tests for the cut at a word boundary\n'

/**
 * A pair of a setting the viewer does not know (`sequential`, as result.json names it) run in two
 * phases: `agent1` (implementer) implements feature 1, the demo dataset's real gold patch, and
 * submits `plan.txt` besides it; `agent2` (reviewer) starts from agent1's patch committed on the
 * base and adds the feature's real tests, so its own patch (real git's diff against the base) holds
 * both. result.json's `phases` name each seat's files, role and what it started from.
 */
export async function writePhasedRun(logDir: string, name: string): Promise<string> {
  const dir = join(logDir, name, 'sequential', 'textkit_task', '7', 'f1_f2')
  await mkdir(dir, { recursive: true })
  const feature1 = await readFile(join(TASK, 'feature1', 'feature.patch'), 'utf8')
  await writeFile(join(dir, 'agent1.patch'), feature1)
  await writeFile(join(dir, 'agent2.patch'), await patchAfter([join(TASK, 'feature1', 'feature.patch'), join(TASK, 'feature1', 'tests.patch')]))
  await writeFile(join(dir, 'agent1.plan.txt'), PLAN)
  const start = Date.UTC(2026, 5, 8, 10) / 1000
  const at = (seconds: number) => new Date((start + seconds) * 1000).toISOString()
  const seat = (agentId: string, role: string, more: Record<string, string>) => ({
    agent_id: agentId,
    feature_ids: [1, 2],
    role,
    patch: `${agentId}.patch`,
    trajectory: `${agentId}_traj.json`,
    ...more,
    status: 'Submitted',
  })
  const agent = { status: 'Submitted', cost: 0.01, steps: 2, input_tokens: 200, output_tokens: 20, cache_read_tokens: 0, cache_write_tokens: 0, error: null }
  const result = {
    repo: 'textkit_task',
    task_id: 7,
    features: [1, 2],
    run_id: 'a1b2c3d4',
    run_name: name,
    agent_framework: 'mini_swe_agent',
    model: 'gpt-5',
    started_at: at(0),
    ended_at: at(120),
    duration_seconds: 120,
    setting: 'sequential',
    agents: { agent1: { ...agent, patch_lines: 45 }, agent2: { ...agent, patch_lines: 80 } },
    total_cost: 0.02,
    total_steps: 4,
    log_dir: dir,
    messaging_enabled: false,
    git_enabled: false,
    phases: [
      { name: 'implement', started_at: at(0), ended_at: at(50), seats: [seat('agent1', 'implementer', { artifact: 'agent1.plan.txt' })] },
      { name: 'review', started_at: at(60), ended_at: at(120), seats: [seat('agent2', 'reviewer', { started_from: 'agent1' })] },
    ],
  }
  await writeFile(join(dir, 'result.json'), JSON.stringify(result, null, 2))
  await writeFile(
    join(dir, 'agent1_traj.json'),
    JSON.stringify(trajectory('agent1', start + 2, ['cat textkit/slug.py', `git apply feature1.patch && cat > plan.txt`])),
  )
  await writeFile(join(dir, 'agent2_traj.json'), JSON.stringify(trajectory('agent2', start + 62, ['cat plan.txt', 'python -m pytest tests/test_slug.py'])))
  const feature = (id: number, passed: boolean) => ({
    feature_id: id,
    passed,
    exit_code: passed ? 0 : 1,
    tests_passed: 3,
    tests_failed: passed ? 0 : 2,
    test_output: '',
  })
  const evaluation = {
    repo: 'textkit_task',
    task_id: 7,
    features: [1, 2],
    setting: 'sequential',
    merge: null,
    feature1: feature(1, true),
    feature2: feature(2, false),
  }
  await writeFile(join(dir, 'eval.json'), JSON.stringify({ ...evaluation, both_passed: false, error: null, evaluated_at: at(200) }))
  return dir
}

/**
 * A pair of a setting that carries its seats through two phases (plan-execute's shape): agent1 and
 * agent2 plan in `plan` (their files in `phase1/`, each submitting a plan), then the same two
 * execute in `execute`, agent1 messaging agent2 there.
 */
export async function writeTwoPhaseRun(logDir: string, name: string): Promise<string> {
  const dir = join(logDir, name, 'plan-execute', 'textkit_task', '7', 'f1_f2')
  await mkdir(join(dir, 'phase1'), { recursive: true })
  const start = Date.UTC(2026, 5, 8, 10) / 1000
  const at = (seconds: number) => new Date((start + seconds) * 1000).toISOString()
  const seat = (id: number, role: string, files: Record<string, string>) => ({ agent_id: `agent${id}`, feature_ids: [id], role, ...files, status: 'Submitted' })
  for (const id of [1, 2]) {
    await writeFile(join(dir, 'phase1', `agent${id}_traj.json`), JSON.stringify(trajectory(`agent${id}`, start + 2, ['cat textkit/slug.py'])))
    await writeFile(
      join(dir, 'phase1', `agent${id}.plan`),
      `Plan of agent${id}
`,
    )
    await writeFile(join(dir, 'phase1', `agent${id}.patch`), '')
    await writeFile(join(dir, `agent${id}_traj.json`), JSON.stringify(trajectory(`agent${id}`, start + 62, ['python -m pytest'])))
    await writeFile(join(dir, `agent${id}.patch`), '')
  }
  const agent = { status: 'Submitted', cost: 0.02, steps: 2, input_tokens: 200, output_tokens: 20, cache_read_tokens: 0, cache_write_tokens: 0, error: null }
  const result = {
    repo: 'textkit_task',
    task_id: 7,
    features: [1, 2],
    run_id: 'a1b2c3d5',
    run_name: name,
    agent_framework: 'mini_swe_agent',
    model: 'gpt-5',
    started_at: at(0),
    ended_at: at(120),
    duration_seconds: 120,
    setting: 'plan-execute',
    agents: { agent1: { feature_id: 1, ...agent, patch_lines: 0 }, agent2: { feature_id: 2, ...agent, patch_lines: 0 } },
    total_cost: 0.04,
    total_steps: 4,
    messages_sent: 1,
    log_dir: dir,
    phases: [
      {
        name: 'plan',
        started_at: at(0),
        ended_at: at(50),
        seats: [1, 2].map((id) =>
          seat(id, 'planner', { patch: `phase1/agent${id}.patch`, trajectory: `phase1/agent${id}_traj.json`, artifact: `phase1/agent${id}.plan` }),
        ),
      },
      {
        name: 'execute',
        started_at: at(60),
        ended_at: at(120),
        seats: [1, 2].map((id) => seat(id, 'executor', { patch: `agent${id}.patch`, trajectory: `agent${id}_traj.json` })),
      },
    ],
  }
  await writeFile(join(dir, 'result.json'), JSON.stringify(result, null, 2))
  const message = { from: 'agent1', to: 'agent2', message: 'I take slug.py', timestamp: start + 70, feature_id: 1 }
  await writeFile(join(dir, 'conversation.json'), JSON.stringify([message]))
  return dir
}

/** A mini-SWE-agent trajectory: a system and a task message, then a timed step per command with its output. */
function trajectory(agentId: string, start: number, commands: string[]) {
  const steps = commands.flatMap((command, i) => [
    {
      role: 'assistant',
      content: `THOUGHT: step ${i + 1}`,
      extra: { timestamp: start + i * 10, actions: [{ command }], usage: { prompt_tokens: 100, completion_tokens: 10 } },
    },
    { role: 'tool', content: `output of ${command}`, extra: { timestamp: start + i * 10 + 5, returncode: 0 } },
  ])
  const messages = [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: `You are ${agentId}.` }, ...steps]
  return { repo: 'textkit_task', task_id: 7, agent_id: agentId, model: 'gpt-5', status: 'Submitted', cost: 0.01, steps: commands.length, messages }
}

/** The diff against the task's base commit after applying `patches` in order, with real git on the task's repository. */
async function patchAfter(patches: string[]): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'cb-phased-repo-'))
  try {
    await run('git', ['clone', '-q', join(TASK, 'repo.bundle'), work])
    for (const patch of patches) await run('git', ['apply', patch], { cwd: work })
    await run('git', ['add', '-A'], { cwd: work })
    return (await run('git', ['diff', '--cached'], { cwd: work })).stdout
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
