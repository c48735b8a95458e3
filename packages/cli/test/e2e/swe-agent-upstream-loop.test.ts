import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ChatCompletionRequestBody, type RecordedRequest, type ScriptedTurn, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { describe, expect, it } from 'vitest'
import { buildDemoImages, DEMO_DATASET, describeResult, dockerEngineAnswers, makeWorkdir, pairDirs, REPO_ROOT, runCli } from './helpers.js'

/**
 * The held-out check of `-a swe_agent` (issue 73): upstream CooperBench's own swe_agent (its adapter
 * and vendored SWE-agent 1.1 loop, through the real litellm) was run on one demo task with the
 * scripted answers of `answers.json`, solo and coop, and every request body it sent was recorded
 * (`scripts/upstream-swe-agent-loop/`, see its README). Here our swe_agent runs the same task with
 * upstream's files (`../shared/upstream-swe-agent`) on the docker backend (the task's image, the
 * repository at /workspace/repo as in upstream's sandbox) against the same answers, and must send the
 * same bodies, byte for byte, and write the same patch files. No tolerance: where ours differs, each
 * request's failure names the JSON paths that differ (or where the texts of the same JSON part).
 *
 * `UPSTREAM_SWE_LOOP_DUMP=<folder>` writes our bodies there (`ours-solo.json`, `ours-coop.json`).
 * Re-record (a developer with setup.sh done and Docker): `UPSTREAM_SWE_LOOP_RECORD=1 pnpm exec vitest run
 * --project e2e packages/cli/test/e2e/swe-agent-upstream-loop.test.ts`.
 */
const FIXTURES = join(REPO_ROOT, 'packages', 'agent-swe-agent', 'test', 'fixtures', 'upstream-loop')
const UPSTREAM = join(REPO_ROOT, '..', 'shared', 'upstream-swe-agent')
const RUN_AGENT = join(REPO_ROOT, 'scripts', 'upstream-swe-agent-loop', 'run-agent.sh')
const RECORD = process.env.UPSTREAM_SWE_LOOP_RECORD === '1'
const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }

type Setting = 'solo' | 'coop'
interface Answers {
  task: { repo: string; task_id: number; features: number[] }
  solo: Record<string, ScriptedTurn[]>
  coop: Record<string, ScriptedTurn[]>
  waits: Partial<Record<Setting, Record<string, Record<string, { agent: string; step: number }>>>>
}
/** A recording: each agent's request bodies in the order it sent them, as the text that arrived. */
interface Recording {
  recorded_with: Record<string, string>
  results: Record<string, unknown>
  requests: Record<string, string[]>
}

const answers = JSON.parse(await readFile(join(FIXTURES, 'answers.json'), 'utf8')) as Answers
const image = `akhatua/cooperbench-${answers.task.repo.replace(/_task$/, '')}:task${answers.task.task_id}`

/** The agent a request comes from: upstream's coop system message names it ("You are agent1 working as a team with: …"). */
function agentOf(body: ChatCompletionRequestBody): string {
  const system = body.messages.find((m) => m.role === 'system')
  const text = typeof system?.content === 'string' ? system.content : (system?.content ?? []).map((part) => part.text ?? '').join('')
  return /You are (agent\d+) working as a team with/.exec(text)?.[1] ?? 'solo'
}
const stepOf = (body: ChatCompletionRequestBody) => body.messages.filter((m) => m.role === 'assistant').length

/**
 * The scripted model of one setting: each agent's turns by its step (the assistant messages in its
 * request); an answer listed in `waits` is held until the named agent's request of that step arrived,
 * so a teammate's message reaches the same step on every run, upstream's or ours.
 */
async function startModel(setting: Setting) {
  const reached = new Map<string, number>()
  const script = async (request: RecordedRequest & { body: ChatCompletionRequestBody }): Promise<ScriptedTurn> => {
    const agent = agentOf(request.body)
    const step = stepOf(request.body)
    reached.set(agent, Math.max(reached.get(agent) ?? -1, step))
    const wait = answers.waits[setting]?.[agent]?.[String(step)]
    for (let waited = 0; wait && (reached.get(wait.agent) ?? -1) < wait.step; waited += 100) {
      if (waited > 300_000) throw new Error(`${agent} step ${step} waited 300 s for ${wait.agent} step ${wait.step}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const turns = answers[setting][agent]
    if (!turns) throw new Error(`no scripted turns for ${agent} in ${setting}`)
    // Past the script: submit again (a loop that did not stop after the scripted submit).
    return turns[step] ?? turns.at(-1)!
  }
  return startScriptedLlmServer({ script })
}

function requestsByAgent(requests: Array<RecordedRequest & { body: ChatCompletionRequestBody }>): Record<string, string[]> {
  const byAgent: Record<string, string[]> = {}
  for (const request of requests) {
    const agent = agentOf(request.body)
    byAgent[agent] = [...(byAgent[agent] ?? []), request.rawBody ?? '']
  }
  return Object.fromEntries(Object.entries(byAgent).sort(([a], [b]) => a.localeCompare(b)))
}

/** Nothing when the texts are the same bytes; else the JSON paths whose values or key order differ, or the first differing offset. */
function bodyDifferences(ours: string | undefined, upstream: string): string[] {
  if (ours === upstream) return []
  if (ours === undefined) return ['ours sent no such request']
  const found: string[] = []
  const show = (value: unknown) => JSON.stringify(value)?.slice(0, 160)
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (found.length >= 12) return
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) found.push(`${path}: ${a.length} items, upstream ${b.length}`)
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`)
    } else if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const keysA = Object.keys(a)
      const keysB = Object.keys(b)
      const common = keysA.filter((key) => keysB.includes(key))
      if (common.join() !== keysB.filter((key) => keysA.includes(key)).join())
        found.push(`${path || 'body'}: key order ${keysA.join(',')}, upstream ${keysB.join(',')}`)
      for (const key of keysA.filter((k) => !keysB.includes(k))) found.push(`${path}.${key}: only ours, ${show((a as Record<string, unknown>)[key])}`)
      for (const key of keysB.filter((k) => !keysA.includes(k))) found.push(`${path}.${key}: only upstream, ${show((b as Record<string, unknown>)[key])}`)
      for (const key of common) walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`)
    } else if (JSON.stringify(a) !== JSON.stringify(b)) found.push(`${path}: ${show(a)}, upstream ${show(b)}`)
  }
  walk(JSON.parse(ours), JSON.parse(upstream), '')
  // Text the parse hides: how each side writes the same values (Python's `0.0`, escapes, spacing).
  const firstDifference = (a: string, b: string) => {
    let at = 0
    while (at < a.length && a[at] === b[at]) at++
    return `${JSON.stringify(a.slice(Math.max(0, at - 30), at + 30))} / ${JSON.stringify(b.slice(Math.max(0, at - 30), at + 30))}`
  }
  const canonical = (text: string) => JSON.stringify(JSON.parse(text))
  if (canonical(ours) !== ours) found.push(`ours is not written as JSON.stringify writes it: ${firstDifference(ours, canonical(ours))}`)
  if (canonical(upstream) !== upstream) found.push(`upstream's text is not as JSON.stringify writes it: ${firstDifference(upstream, canonical(upstream))}`)
  if (found.length === 0) found.push(`same JSON, other text: ${firstDifference(ours, upstream)}`)
  return found
}

const fixtureFile = (setting: Setting) => join(FIXTURES, `${setting}.json`)
const recorded = Object.fromEntries(
  (['solo', 'coop'] as const).filter((s) => existsSync(fixtureFile(s))).map((s) => [s, JSON.parse(readFileSync(fixtureFile(s), 'utf8')) as Recording]),
) as Partial<Record<Setting, Recording>>

const missing = !existsSync(join(UPSTREAM, 'config', 'coop.yaml'))
  ? `upstream's swe_agent files are not at ${UPSTREAM}`
  : !recorded.solo || !recorded.coop
    ? `no recording in ${FIXTURES}`
    : false
const engine = !RECORD && !missing && dockerEngineAnswers('the swe_agent upstream-loop comparison')

describe.skipIf(!engine)(`our swe_agent sends upstream's swe_agent request bodies${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it.each(['solo', 'coop'] as const)(
    '%s: every request of every agent, byte for byte, and the patch files',
    async (setting) => {
      await buildDemoImages()
      const w = await makeWorkdir(`swe-upstream-${setting}`)
      await writeFile(
        join(w.cwd, 'cooperbench.config.json'),
        JSON.stringify({ agents: { swe_agent: { config_root: UPSTREAM } }, backends: { docker: { network: 'none', buildNetwork: 'none', pull: 'never' } } }),
      )
      const server = await startModel(setting)
      const { repo, task_id, features } = answers.task
      try {
        const args = ['run', '-a', 'swe_agent', '-n', `up-${setting}`, '--dataset-dir', DEMO_DATASET, '-m', 'openai/scripted-model']
        args.push('--model-base-url', server.url, '--agent-config', join(UPSTREAM, 'config', setting === 'coop' ? 'coop.yaml' : 'default.yaml'))
        args.push('--cost-limit', '0', '--backend', 'docker', '--setting', setting, '-s', 'demo', '-r', repo, '-t', String(task_id), '-f', features.join(','))
        const r = await runCli(args, w.options({ env, timeoutMs: 600_000 }))
        expect(r.code, describeResult(r)).toBe(0)
        const ours = requestsByAgent(server.chatRequests())
        const theirs = recorded[setting]!.requests
        // For whoever works on a difference: our bodies beside upstream's, in the recording's shape.
        const dump = process.env.UPSTREAM_SWE_LOOP_DUMP
        if (dump) await writeFile(join(dump, `ours-${setting}.json`), `${JSON.stringify({ requests: ours }, null, 2)}\n`)
        expect(Object.keys(ours)).toEqual(Object.keys(theirs))
        for (const [agent, bodies] of Object.entries(theirs)) {
          // Byte equality; the message says where the bodies part, because a diff of two 10 kB lines does not.
          for (const [i, body] of bodies.entries())
            expect.soft(bodyDifferences(ours[agent]?.[i], body), `${setting} ${agent} request ${i + 1} of ${bodies.length}`).toEqual([])
          expect(ours[agent], `${setting} ${agent}: the number of requests`).toHaveLength(bodies.length)
        }
        // The patch files, which upstream's runner writes as its adapter returns them.
        const [dir] = await pairDirs(w.logs, `up-${setting}`, setting)
        for (const [agent, result] of Object.entries(recorded[setting]!.results as Record<string, { patch: string }>)) {
          const file = agent === 'solo' ? 'solo.patch' : `agent${features[Number(agent.replace('agent', '')) - 1]}.patch`
          expect.soft(await readFile(join(dir!, file), 'utf8'), `${setting} ${file}`).toBe(result.patch)
        }
      } finally {
        await server.close()
      }
    },
    900_000,
  )
})

// ---------------------------------------------------------------------------------------------
// Recording (UPSTREAM_SWE_LOOP_RECORD=1): upstream's loop, one container per agent

function runUpstreamAgent(url: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(RUN_AGENT, [image, ...args], { env: { ...process.env, ...env, OPENAI_API_BASE: url }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk))
    child.on('close', (code) => resolve({ code, output }))
  })
}

async function recordedWith(): Promise<Record<string, string>> {
  const dir = process.env.UPSTREAM_SWE_DIR ?? '/work/upstream-swe'
  const commit = async (name: string) => (await readFile(join(dir, 'src', name, '.commit'), 'utf8')).trim()
  const versions = await new Promise<string>((resolve) => {
    const code =
      "import importlib.metadata as m; print(' '.join(f'{d}=={m.version(d)}' for d in ['litellm','openai','httpx','pydantic','swe-rex','jinja2','redis']))"
    const child = spawn(join(dir, 'venv', 'bin', 'python'), ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk))
    child.on('close', () => resolve(out.trim()))
  })
  return {
    cooperbench: `cooperbench/CooperBench@${await commit('CooperBench')} (src/cooperbench/agents/swe_agent: adapter.py, vendored SWE-agent 1.1)`,
    litellm: `BerriAI/litellm@${await commit('litellm')} (the 1.81.12 version bump; upstream's uv.lock pins 1.81.12)`,
    swe_rex: `SWE-agent/SWE-ReX@${await commit('SWE-ReX')} (v1.4.0, LocalDeployment in the task's container)`,
    packages: versions,
    image,
    driver: 'scripts/upstream-swe-agent-loop/driver.py',
  }
}

describe.runIf(RECORD)("recording upstream's swe_agent loop", () => {
  it.each(['solo', 'coop'] as const)(
    '%s',
    async (setting) => {
      const out = await mkdtemp(join(tmpdir(), `upstream-swe-${setting}-`))
      const server = await startModel(setting)
      try {
        const taskDir = join(DEMO_DATASET, answers.task.repo, `task${answers.task.task_id}`)
        const { features } = answers.task
        const agents = setting === 'solo' ? ['solo'] : features.map((_, i) => `agent${i + 1}`)
        const comm = `redis://127.0.0.1:6379#run:${randomUUID().slice(0, 8)}`
        const runs = await Promise.all(
          agents.map((agent, i) => {
            const args = ['--task-dir', taskDir, '--result', join(out, `${agent}.json`)]
            if (setting === 'solo') args.push('--features', features.join(','))
            else args.push('--features', String(features[i]), '--agent-id', agent, '--agents', agents.join(','), '--comm-url', comm)
            return runUpstreamAgent(server.url, args)
          }),
        )
        for (const run of runs) expect(run.code, run.output.slice(-4000)).toBe(0)
        const results: Record<string, unknown> = {}
        for (const agent of agents) results[agent] = JSON.parse(await readFile(join(out, `${agent}.json`), 'utf8'))
        const recording: Recording = { recorded_with: await recordedWith(), results, requests: requestsByAgent(server.chatRequests()) }
        await mkdir(FIXTURES, { recursive: true })
        await writeFile(fixtureFile(setting), `${JSON.stringify(recording, null, 2)}\n`)
      } finally {
        await server.close()
        await rm(out, { recursive: true, force: true })
      }
    },
    900_000,
  )
})
