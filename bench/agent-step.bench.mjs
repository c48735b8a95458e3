// Harness overhead per agent step of mini_swe_agent: the loop's own work per step (prompt
// bookkeeping, message parsing, observation rendering, the trajectory journal written to disk),
// with the model call and the sandbox command excluded (both timed and subtracted). Steps near
// the start and near the end are reported apart: a step must cost the same at 1000 as at 1.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, percentile, root } from './lib.mjs'

const core = {
  ...(await import(join(root, 'packages/core/dist/index.js'))),
  ...(await import(join(root, 'packages/core/dist/runner/index.js'))),
}
const { MemoryBus } = await import(join(root, 'packages/builtins/dist/index.js'))
const { MiniSweAgent, parseOptions } = await import(join(root, 'packages/agent-mini-swe/dist/index.js'))

const STEPS = Number(process.env.BENCH_STEPS ?? 1000)
const WINDOW = Math.max(1, Math.min(50, Math.floor(STEPS / 10)))
const OBSERVATION = 'x'.repeat(2000) // a typical 2 kB command output
let excludedMs = 0
const stepEnds = []

const model = {
  id: 'bench/model',
  async complete(request) {
    const t = performance.now()
    stepEnds.push({ t, excluded: excludedMs })
    const step = request.messages.filter((m) => m.role === 'assistant').length
    const command = step + 1 >= STEPS ? 'echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT' : `cat src/file_${step}.py`
    const response = {
      text: 'Looking at the next file.',
      toolCalls: [{ id: `call_${step}`, name: 'bash', arguments: JSON.stringify({ command }) }],
      usage: { inputTokens: 2000 + step * 500, outputTokens: 60, cacheReadTokens: 0, cacheWriteTokens: 0 },
      cost: 0.001,
      finishReason: 'tool-calls',
      durationMs: 0,
      raw: { id: `r${step}` },
    }
    excludedMs += performance.now() - t
    return response
  },
}
const sandbox = {
  id: 'bench',
  async exec(command) {
    const t = performance.now()
    const out = typeof command === 'string' && command.includes('COMPLETE_TASK') ? 'COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n' : OBSERVATION
    excludedMs += performance.now() - t
    return { exitCode: 0, stdout: out, stderr: '', timedOut: false, truncated: false, durationMs: 0 }
  },
  async writeFile() {},
  async readFile() {
    return new Uint8Array()
  },
  async terminate() {},
}
const dir = mkdtempSync(join(tmpdir(), 'cooperbench-bench-steps-'))
const recorder = core.createTrajectoryRecorder(join(dir, 'agent1_traj.json'), {
  repo: 'r_task',
  task_id: 1,
  feature_id: 1,
  agent_id: 'agent1',
  model: 'bench/model',
})
const bus = new MemoryBus()
const mailbox = await bus.open('run:bench', 'agent1', ['agent2'])
const agent = new MiniSweAgent(parseOptions({ step_limit: STEPS + 5, cost_limit: 0, compaction: { enabled: false } }), { createModel: () => model })
const started = performance.now()
const result = await agent.run({
  setting: 'coop',
  agentId: 'agent1',
  featureIds: [1],
  instructions: 'Implement the feature.',
  task: { repo: 'r_task', taskId: 1, dir, features: [], source: { url: null, bundlePath: null, baseCommit: null }, manifest: null },
  sandbox,
  peers: ['agent2'],
  mailbox,
  git: null,
  model: 'bench/model',
  options: {},
  recorder,
  logger: core.silentLogger,
  signal: new AbortController().signal,
})
const total = performance.now() - started
// Per-step wall time between model calls, minus what the fakes themselves took (≈0).
const perStep = stepEnds.slice(1).map((end, i) => end.t - stepEnds[i].t - (end.excluded - stepEnds[i].excluded))
const overhead = total - excludedMs
const ms = (v) => `${v.toFixed(3)} ms`
const first = perStep.slice(0, WINDOW)
const last = perStep.slice(-WINDOW)
console.log(`mini_swe_agent: ${result.steps} steps (${result.status}); harness overhead per step (target < 1 ms, the same at the end):`)
console.log(
  `  steps 1-${WINDOW}: median ${ms(median(first))}; steps ${perStep.length - WINDOW + 1}-${perStep.length}: median ${ms(median(last))}; ratio ${(median(last) / median(first)).toFixed(2)}`,
)
console.log(`  all steps: median ${ms(median(perStep))}, p95 ${ms(percentile(perStep, 95))}; mean ${ms(overhead / result.steps)}`)
