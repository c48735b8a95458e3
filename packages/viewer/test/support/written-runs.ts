import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { wilsonInterval } from '@cooperbench/report'

/**
 * Coop run folders written by hand, in the shapes the harness writes (result.json, eval.json,
 * conversation.json, agent trajectories, config.json, analysis.json): for tests that need many
 * pairs or exact numbers without running agents, and for the viewer's bench.
 */
export interface WrittenPair {
  task: number
  pass: boolean
  conflict?: boolean
  /** Assistant steps per agent (each runs one command; the first sends a message when messaging). */
  steps?: number
}

export interface WrittenRun {
  name: string
  messaging: boolean
  git?: boolean
  model?: string
  pairs: WrittenPair[]
  /** Writes analysis.json: every failed pair judged `communication` with one quote. */
  analysis?: boolean
  /** The system prompt and task of agent trajectories. */
  prompt?: string
  /** false: a model without a known price (costs 0, every model call marked `cost_unknown`). Default true. */
  priced?: boolean
  /** Characters of command output per step (default: a short line), for trajectories the size of real ones. */
  outputChars?: number
}

const REPO = 'textkit_task'
/** What each agent of a messaging run sends its teammate (conversation.json, and the reader's trajectory). */
const SENT: Record<string, string> = { agent1: 'I will change slugify in textkit/slug.py', agent2: 'ok, I keep out of slug.py' }

/** An agent's record in result.json: Submitted after `steps` steps of 100 input and 10 output tokens each. */
const submittedAgent = (steps: number, cost: number) => ({
  status: 'Submitted',
  cost,
  steps,
  input_tokens: 100 * steps,
  output_tokens: 10 * steps,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  patch_lines: 2,
  error: null,
})

export async function writeCoopRun(logDir: string, run: WrittenRun): Promise<void> {
  const root = join(logDir, run.name)
  const analysed = []
  for (const pair of run.pairs) {
    const dir = join(root, 'coop', REPO, String(pair.task), 'f1_f2')
    await mkdir(dir, { recursive: true })
    const steps = pair.steps ?? 3
    const start = Date.UTC(2025, 0, 1) / 1000 + pair.task * 1000
    const agent = (feature: number) => ({ feature_id: feature, ...submittedAgent(steps, run.priced === false ? 0 : 0.01) })
    const result = {
      repo: REPO,
      task_id: pair.task,
      features: [1, 2],
      setting: 'coop',
      run_id: run.name,
      run_name: run.name,
      agent_framework: 'mini_swe_agent',
      model: run.model ?? 'gpt-5',
      started_at: new Date(start * 1000).toISOString(),
      ended_at: new Date((start + 60) * 1000).toISOString(),
      duration_seconds: 60,
      total_cost: run.priced === false ? 0 : 0.02,
      total_steps: 2 * steps,
      log_dir: dir,
      messaging_enabled: run.messaging,
      git_enabled: run.git === true,
      agents: { agent1: agent(1), agent2: agent(2) },
      messages_sent: run.messaging ? 2 : 0,
    }
    const feature = (id: number) => ({
      feature_id: id,
      passed: pair.pass,
      exit_code: pair.pass ? 0 : 1,
      tests_passed: 1,
      tests_failed: pair.pass ? 0 : 1,
      test_output: '',
    })
    const evaluation = {
      repo: REPO,
      task_id: pair.task,
      features: [1, 2],
      setting: 'coop',
      merge: pair.conflict ? { status: 'conflicts', strategy: 'union', diff: '' } : { status: 'clean', strategy: 'naive', diff: '' },
      feature1: feature(1),
      feature2: feature(2),
      both_passed: pair.pass,
      error: null,
      evaluated_at: new Date((start + 90) * 1000).toISOString(),
    }
    const conversation = run.messaging
      ? [
          { from: 'agent1', to: 'agent2', message: SENT.agent1, timestamp: start + 2, feature_id: 1 },
          { from: 'agent2', to: 'agent1', message: SENT.agent2, timestamp: start + 3, feature_id: 2 },
        ]
      : []
    await writeFile(join(dir, 'result.json'), JSON.stringify(result))
    await writeFile(join(dir, 'eval.json'), JSON.stringify(evaluation))
    await writeFile(join(dir, 'conversation.json'), JSON.stringify(conversation))
    for (const [index, id] of [1, 2].entries()) {
      const peer = `agent${2 - index}`
      await writeFile(join(dir, `agent${id}_traj.json`), JSON.stringify(trajectory(run, `agent${id}`, peer, steps, start + index)))
      await writeFile(
        join(dir, `agent${id}.patch`),
        `diff --git a/textkit/slug.py b/textkit/slug.py\n--- a/textkit/slug.py\n+++ b/textkit/slug.py\n@@ -1 +1 @@\n-a\n+b${id}\n`,
      )
    }
    analysed.push({
      repo: REPO,
      task_id: pair.task,
      features: [1, 2],
      outcome: pair.pass ? 'passed' : 'failed',
      signals: {
        messages: conversation.length,
        messaging_step_share: run.messaging ? 1 / steps : 0,
        messaging_token_share: 0,
        unanswered_questions: [],
        files_both_edited: ['textkit/slug.py'],
        broken_promises: [],
      },
      judgement: pair.pass
        ? null
        : {
            category: 'communication',
            reason: 'agent2 never said which lines it changed',
            evidence: [{ source: 'conversation', quote: 'ok, I keep out of slug.py', found: true }],
            model: 'judge-model',
            input_sha256: 'x',
          },
      judge_error: null,
    })
  }
  const fingerprint = {
    setting: 'coop',
    agent: 'mini_swe_agent',
    model: run.model ?? 'gpt-5',
    messaging_enabled: run.messaging,
    git_enabled: run.git === true,
    agent_config_digest: null,
    prompt_profile: 'cooperbench-v1',
    limits: { step_limit: 100, cost_limit: 1, agent_timeout_seconds: null },
    harness_version: '0.1.0',
  }
  await writeFile(
    join(root, 'config.json'),
    JSON.stringify({
      run_name: run.name,
      agent_framework: 'mini_swe_agent',
      model: run.model ?? 'gpt-5',
      setting: 'coop',
      fingerprints: { coop: { value: fingerprint, hash: run.name } },
    }),
  )
  if (run.analysis) await writeFile(join(root, 'analysis.json'), JSON.stringify(analysisRecord(run.name, analysed)))
}

function trajectory(run: WrittenRun, me: string, peer: string, steps: number, start: number) {
  const messages: unknown[] = [
    { role: 'system', content: run.prompt ?? 'You are a helpful assistant that can interact with a computer.', extra: { timestamp: start } },
    { role: 'user', content: `You are **${me}**. Your teammate is **${peer}**. Implement your feature.`, extra: { timestamp: start } },
  ]
  for (let i = 0; i < steps; i++) {
    const at = start + 2 + i * 3
    // The last step edits the file the patch changes (when there are three steps or more).
    const command =
      i === 0 && run.messaging
        ? `send_message ${peer} "I will change slugify"`
        : i === steps - 1 && steps >= 3
          ? `sed -i 's/a/b/' textkit/slug.py`
          : `sed -n ${i + 1},40p textkit/slug.py`
    messages.push({
      role: 'assistant',
      content: `THOUGHT: step ${i + 1} of ${me}, looking at slug.py`,
      extra: {
        timestamp: at,
        actions: [{ command }],
        usage: { prompt_tokens: 100, completion_tokens: 10 },
        ...(run.priced === false ? { cost: 0, cost_unknown: true } : { cost: 0.001 }),
      },
    })
    const output = `output of step ${i + 1}`
    messages.push({ role: 'tool', content: output.padEnd(run.outputChars ?? 0, ' x'), extra: { timestamp: at + 1, returncode: 0 } })
    if (i === 0 && run.messaging) messages.push({ role: 'user', content: `[Message from ${peer}]: ${SENT[peer]}`, extra: { timestamp: at + 2 } })
  }
  return { repo: REPO, task_id: 1, agent_id: me, model: run.model ?? 'gpt-5', status: 'Submitted', cost: 0.01, steps, messages }
}

function analysisRecord(name: string, pairs: Array<{ outcome: string; judgement: unknown; signals: { messaging_step_share: number; messages: number } }>) {
  const failed = pairs.filter((p) => p.outcome === 'failed').length
  const share = (count: number) => ({ count, share: failed ? count / failed : 0, ci: wilsonInterval(count, failed) })
  const mean = (f: (p: (typeof pairs)[number]) => number) => (pairs.length ? pairs.reduce((s, p) => s + f(p), 0) / pairs.length : 0)
  return {
    run_name: name,
    analyzed_at: '2025-01-02T00:00:00.000Z',
    judge: { model: 'judge-model', prompt_version: 'taxonomy-v1' },
    pairs,
    summary: {
      pairs: pairs.length,
      failed,
      judged: failed,
      categories: { expectation: share(0), communication: share(failed), commitment: share(0), no_coordination_failure: share(0) },
      signals: {
        messages_per_pair: mean((p) => p.signals.messages),
        messaging_step_share: mean((p) => p.signals.messaging_step_share),
        messaging_token_share: 0,
        unanswered_questions_per_pair: 0,
        pairs_with_shared_files: pairs.length,
        broken_promises: 0,
      },
    },
  }
}

/** A solo run of the same pairs (result.json, eval.json, a trajectory), for links between a coop pair and its solo run. */
export async function writeSoloRun(logDir: string, name: string, pairs: Array<{ task: number; pass: boolean }>): Promise<void> {
  for (const pair of pairs) {
    const dir = join(logDir, name, 'solo', REPO, String(pair.task), 'f1_f2')
    await mkdir(dir, { recursive: true })
    const agent = submittedAgent(1, 0.01)
    const result = {
      repo: REPO,
      task_id: pair.task,
      features: [1, 2],
      setting: 'solo',
      run_id: name,
      run_name: name,
      agent_framework: 'mini_swe_agent',
      model: 'gpt-5',
      started_at: '2025-01-01T00:00:00.000Z',
      ended_at: '2025-01-01T00:01:00.000Z',
      duration_seconds: 60,
      total_cost: 0.01,
      total_steps: 1,
      log_dir: dir,
      agent,
    }
    const feature = (id: number) => ({
      feature_id: id,
      passed: pair.pass,
      exit_code: pair.pass ? 0 : 1,
      tests_passed: 1,
      tests_failed: pair.pass ? 0 : 1,
      test_output: '',
    })
    const evaluation = {
      repo: REPO,
      task_id: pair.task,
      features: [1, 2],
      setting: 'solo',
      merge: null,
      feature1: feature(1),
      feature2: feature(2),
      both_passed: pair.pass,
      error: null,
      evaluated_at: '',
    }
    await writeFile(join(dir, 'result.json'), JSON.stringify(result))
    await writeFile(join(dir, 'eval.json'), JSON.stringify(evaluation))
    await writeFile(
      join(dir, 'solo_traj.json'),
      JSON.stringify({
        messages: [
          { role: 'system', content: 'solo system prompt' },
          { role: 'user', content: 'solo task' },
        ],
      }),
    )
  }
}
