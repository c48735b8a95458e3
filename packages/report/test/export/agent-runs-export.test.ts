import { cp, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { scanRun, verdictOf } from '@cooperbench/results'
import { beforeAll, describe, expect, it } from 'vitest'
import { tempFolderOfThisFile } from '../../../../scripts/test/after-every.js'
import { type AtifTrajectory, atifProblems, exportRuns, type SftRow } from '../../src/index.js'
import { jsonLinesShapeProblems, loadWithDatasets, pythonWithDatasets } from '../support/sft-shape.js'

/**
 * The agents that need a program or a server, exported from runs they recorded (fixtures/agent-runs,
 * written by packages/cli/test/e2e/record-agent-runs.test.ts with the real Claude Code, Codex and
 * Qwen Code CLIs and the stand-in OpenHands server): one demo coop pair each, messages both ways.
 */
const FIXTURES = new URL('../fixtures/agent-runs/', import.meta.url).pathname
const RUNS = ['claude_code-coop', 'codex-coop', 'qwen_code-coop', 'openhands_sdk-coop']
const PAIR = 'coop/textkit_task/7/f1_f2'
/** A secret of this environment and a host folder, planted in a trajectory: neither may leave. */
const SECRET = 'tok_9f8e7d6c5b4a3f2e1d0c'
const OPTION_PATH = '/opt/cooperbench-export-test/swe_agent'
let logs: string

beforeAll(async () => {
  logs = join(await tempFolderOfThisFile('agent-runs-export'), 'logs')
  await cp(FIXTURES, logs, { recursive: true })
  const file = join(logs, 'codex-coop', PAIR, 'agent1_traj.json')
  const trajectory = JSON.parse(await readFile(file, 'utf8'))
  trajectory.messages.splice(1, 0, { role: 'user', content: `Read ${logs}/notes.txt; the key is ${SECRET}. Tools: ${OPTION_PATH}/tools.` })
  await writeFile(file, JSON.stringify(trajectory))
  // A plugin option of the run's configuration naming a folder of this machine outside every folder the scrubber knows.
  const config = join(logs, 'codex-coop', 'config.json')
  const run = JSON.parse(await readFile(config, 'utf8'))
  run.config.agents = { ...run.config.agents, swe_agent: { config_root: OPTION_PATH } }
  await writeFile(config, JSON.stringify(run))
  // An agent written from the plugin guide's example (docs/plugin-guide.md, "Writing an agent"): `{role, content}` messages only.
  const guide = join(logs, 'guide-coop')
  await cp(join(logs, 'codex-coop'), guide, { recursive: true })
  for (const [fid, feature] of [
    [1, 'slugify'],
    [2, 'truncate'],
  ] as const) {
    const messages = [
      { role: 'system', content: 'You change a repository. Answer with one unified diff in a ```diff block.' },
      { role: 'user', content: `Implement ${feature}.\n\n[Message from agent${3 - fid}]: I change another function.` },
      { role: 'assistant', content: '```diff\n--- a/x.py\n+++ b/x.py\n```' },
      { role: 'tool', content: 'git apply: exit 0\n' },
    ]
    const path = join(guide, PAIR, `agent${fid}_traj.json`)
    await writeFile(path, JSON.stringify({ ...JSON.parse(await readFile(path, 'utf8')), messages }))
  }
})

const SHELL = /^(Bash|exec_command|run_shell_command|terminal)$/
/** The first line of each agent's system prompt as its recording holds it (Qwen Code's session log keeps none). */
const SYSTEM_PROMPT_STARTS: Record<string, string[]> = {
  claude_code: ["You are a Claude agent, built on Anthropic's Claude Agent SDK."],
  codex: [
    'You are a coding agent running in the Codex CLI, a terminal-based coding assistant. Codex CLI is an open source project led by OpenAI. You are expected to be precise, safe, and helpful.',
  ],
  qwen_code: [],
  openhands_sdk: [expect.stringMatching(/^You are OpenHands agent/) as unknown as string],
}

describe('exporting the CLI agents and OpenHands', () => {
  it('atif: a valid ATIF-v1.7 file per agent, each tool result in the step of its call, pair metadata and verdicts, teammates linked', async () => {
    const out = join(logs, '..', 'atif')
    const result = await exportRuns({ logDir: logs, runNames: [...RUNS, 'guide-coop'], format: 'atif', outDir: out })
    expect(result).toMatchObject({ trajectories: 10, problems: [] })
    for (const run of [...RUNS, 'guide-coop']) {
      const [pair] = await scanRun(join(logs, run))
      const conversation = JSON.parse(await readFile(join(pair!.dir, 'conversation.json'), 'utf8')) as Array<{ from: string; to: string }>
      for (const agent of ['agent1', 'agent2']) {
        const file = join(out, run, PAIR, `${agent}.atif.json`)
        const atif = JSON.parse(await readFile(file, 'utf8')) as AtifTrajectory
        expect(atifProblems(atif), file).toEqual([])
        expect(atif.agent.name).toBe(pair!.result!.agent_framework)
        expect(atif.session_id).toBe(`${run}/${PAIR}`)
        const meta = atif.extra!['cooperbench'] as Record<string, any>
        expect(meta).toMatchObject({ run, setting: 'coop', repo: 'textkit_task', task_id: 7, agent_id: agent, role: 'peer' })
        expect(meta['verdict'].pair).toBe(verdictOf(pair!.eval))
        expect(meta['messages']).toEqual(
          conversation.filter((m) => m.from === agent || m.to === agent).map(({ from, to, message, timestamp }: any) => ({ from, to, message, timestamp })),
        )
        // Its teammate's file is where the link says, under the id it says.
        const [mate] = meta['teammates']
        const mateFile = JSON.parse(await readFile(join(out, run, PAIR, mate.trajectory_path), 'utf8')) as AtifTrajectory
        expect(mateFile.trajectory_id).toBe(mate.trajectory_id)
        expect(mateFile.session_id).toBe(atif.session_id)
        // Every recorded tool result is an observation of the step whose call it answers.
        const recorded = JSON.parse(await readFile(join(pair!.dir, `agent${agent.slice(5)}_traj.json`), 'utf8')).messages as Array<Record<string, any>>
        const answered = recorded.filter((m) => m.role === 'tool' && m.tool_call_id)
        for (const message of answered) {
          const step = atif.steps.find((s) => s.tool_calls?.some((c) => c.tool_call_id === message.tool_call_id))
          expect(
            step?.observation?.results.map((r) => r.source_call_id),
            `${file} ${message.tool_call_id}`,
          ).toContain(message.tool_call_id)
        }
        if (run !== 'guide-coop') expect(answered.length, file).toBeGreaterThan(0)
        // Each called a scripted model no price table knows: its cost is unknown, left out rather than 0.
        if (run !== 'guide-coop') {
          expect(pair!.result!.agents![agent], file).toMatchObject({ cost: 0, cost_unknown: true })
          expect(atif.final_metrics!.total_cost_usd, file).toBeUndefined()
          expect(atif.final_metrics!.extra, file).toMatchObject({ cost_unknown: true })
        }
      }
    }
    // The plugin guide's agent: its tool result, made without a tool call, joins the model's reply before it.
    const guide = JSON.parse(await readFile(join(out, 'guide-coop', PAIR, 'agent1.atif.json'), 'utf8')) as AtifTrajectory
    expect(guide.steps.map((s) => s.source)).toEqual(['system', 'user', 'agent'])
    expect(guide.steps[2]!.observation!.results).toEqual([{ content: 'git apply: exit 0\n' }])
  })

  it("sft: one row per agent in mini-SWE's shape (every shell tool is bash with a command), ending on the model's last turn, one type per column, no secret or host path", async () => {
    const out = join(logs, '..', 'sft')
    // A key-like variable of this environment holds the secret, as an API key would.
    process.env['EXPORT_TEST_SERVICE_TOKEN'] = SECRET
    const result = await exportRuns({ logDir: logs, runNames: RUNS, format: 'sft', outDir: out }).finally(() => delete process.env['EXPORT_TEST_SERVICE_TOKEN'])
    const text = await readFile(result.files[0]!, 'utf8')
    expect(jsonLinesShapeProblems(text)).toEqual([])
    const rows = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SftRow)
    expect(rows.map((r) => `${r.agent}/${r.agent_id}`)).toEqual(
      RUNS.flatMap((run) => [`${run.replace('-coop', '')}/agent1`, `${run.replace('-coop', '')}/agent2`]),
    )
    for (const row of rows) {
      const calls = row.messages.flatMap((m) => m.tool_calls ?? [])
      expect(calls.length, row.trajectory_id).toBeGreaterThan(0)
      expect(
        calls.filter((c) => SHELL.test(c.function.name)),
        row.trajectory_id,
      ).toEqual([])
      for (const call of calls.filter((c) => c.function.name === 'bash')) {
        const { command, ...rest } = JSON.parse(call.function.arguments)
        expect(typeof command).toBe('string')
        expect(rest).toEqual({})
        expect(command, 'Codex’s wrapper taken off').not.toMatch(/^\/bin\/bash -lc/)
      }
      expect(row.tools.map((t) => t.function.name)).toContain('bash')
      // Every tool message answers a call of the assistant message before it.
      for (const [i, message] of row.messages.entries()) {
        if (message.role !== 'tool') continue
        const before = row.messages.slice(0, i).findLast((m) => m.role === 'assistant')
        expect(
          before?.tool_calls?.map((c) => c.id),
          row.trajectory_id,
        ).toContain(message.tool_call_id)
      }
      // The row ends on the model's last turn; every call is answered but that turn's, and the row says so.
      const last = row.messages.at(-1)!
      expect(last.role, row.trajectory_id).toBe('assistant')
      expect(row.ends_on_tool_call, row.trajectory_id).toBe((last.tool_calls ?? []).length > 0)
      const answered = new Set(row.messages.flatMap((m) => (m.role === 'tool' ? [m.tool_call_id] : [])))
      const earlier = row.messages.slice(0, -1).flatMap((m) => m.tool_calls ?? [])
      expect(
        earlier.filter((c) => !answered.has(c.id)),
        row.trajectory_id,
      ).toEqual([])
      // A CLI's notes about its session are not the model's context; its system prompt is, where its session log kept it.
      const systems = row.messages.filter((m) => m.role === 'system').map((m) => m.content)
      expect(systems.join('\n'), row.trajectory_id).not.toMatch(/(claude_code|qwen_code) session|codex thread/)
      expect(
        systems.map((text) => text.split('\n')[0]),
        row.trajectory_id,
      ).toEqual(SYSTEM_PROMPT_STARTS[row.agent])
      if (systems.length > 0) expect(row.messages[0]!.role, row.trajectory_id).toBe('system')
      // A CLI's task is the prompt it was given: the task with its briefing.
      if (row.agent !== 'openhands_sdk') expect(row.messages.find((m) => m.role === 'user')!.content, row.trajectory_id).toMatch(/^# Your task\n/)
    }
    // OpenHands ends on its finish call, left unanswered; the CLIs on their closing words.
    expect(rows.map((r) => `${r.agent}: ${r.ends_on_tool_call}`)).toEqual(rows.map((r) => `${r.agent}: ${r.agent === 'openhands_sdk'}`))
    expect(
      rows
        .find((r) => r.agent === 'openhands_sdk')!
        .messages.at(-1)!
        .tool_calls!.map((c) => c.function.name),
    ).toEqual(['finish'])
    expect(text).not.toContain(SECRET)
    expect(text).not.toContain(logs)
    expect(text).toContain('Read <log_dir>/notes.txt; the key is [redacted]. Tools: <host_path>/tools.')
    expect(text).not.toContain(OPTION_PATH)
    const python = pythonWithDatasets()
    if (python) expect(loadWithDatasets(python, out)).toEqual({ rows: 8, columns: Object.keys(rows[0]!) })
  })

  it('filters: agents by name, and only agents whose features passed', async () => {
    const out = join(logs, '..', 'filtered')
    const codex = await exportRuns({ logDir: logs, runNames: RUNS, format: 'sft', outDir: out, filter: { agents: ['codex'] } })
    expect(codex).toMatchObject({ trajectories: 2, filteredOut: 6 })
    const passed = await exportRuns({ logDir: logs, runNames: RUNS, format: 'sft', outDir: out, filter: { passedFeatures: true } })
    const text = (await readFile(passed.files[0]!, 'utf8')).trim()
    const rows = text === '' ? [] : text.split('\n').map((line) => JSON.parse(line) as SftRow)
    expect(rows.every((r) => r.features_passed)).toBe(true)
    const expected = []
    for (const run of RUNS) {
      const [pair] = await scanRun(join(logs, run))
      for (const v of ['feature1', 'feature2'] as const) if (pair!.eval![v].passed) expected.push(`${run}/${pair!.eval![v].feature_id}`)
    }
    expect(rows.map((r) => `${r.run}/${r.features[0]}`)).toEqual(expected)
    expect(await readdir(out)).toEqual(['train.jsonl'])
  })

  it("names each pair's agent at the release its own setting recorded, not the setting written last", async () => {
    // The codex run, with a solo run of another agent written after it under the same name.
    const run = join(logs, 'two-settings')
    await cp(join(logs, 'codex-coop'), run, { recursive: true })
    const config = JSON.parse(await readFile(join(run, 'config.json'), 'utf8'))
    const solo = { ...config.fingerprints.coop.value, setting: 'solo', agent: 'claude_code', agent_release: '@anthropic-ai/claude-code@9.9.9' }
    config.fingerprints.solo = { value: solo, hash: 'solo' }
    await writeFile(join(run, 'config.json'), JSON.stringify({ ...config, setting: 'solo', fingerprint: solo }))
    const out = join(logs, '..', 'two-settings-atif')
    await exportRuns({ logDir: logs, runNames: ['two-settings'], format: 'atif', outDir: out })
    const atif = JSON.parse(await readFile(join(out, 'two-settings', PAIR, 'agent1.atif.json'), 'utf8')) as AtifTrajectory
    expect(atif.agent.version).toBe('@openai/codex@0.169.0')
  })
})
