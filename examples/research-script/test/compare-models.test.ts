/**
 * The research script end to end: two "models" served by testkit's scripted OpenAI-compatible
 * server (one applies each feature's gold patch, the other submits without changing anything),
 * the real `mini_swe_agent`, the real local backend and evaluation, on a two-pair subset.
 */
import { spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bubblewrapProblem } from '@cooperbench/testkit'
import { finalTurn, startScriptedLlmServer, toolCall, type ScriptedLlmServer } from '@cooperbench/testkit/llm-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const SCRIPT = resolve(HERE, '..', 'compare-models.ts')
const DEMO_DATASET = resolve(HERE, '..', '..', '..', 'dataset')
const TASK = join(DEMO_DATASET, 'textkit_task', 'task12')
const EOF_MARK = 'GOLD_PATCH_EOF'

let server: ScriptedLlmServer
let work: string

async function goldPatches(): Promise<Array<{ spec: string; gold: string }>> {
  const features = (await readdir(TASK)).filter((name) => /^feature\d+$/.test(name))
  return Promise.all(
    features.map(async (name) => ({
      spec: (await readFile(join(TASK, name, 'feature.md'), 'utf8')).trim(),
      gold: await readFile(join(TASK, name, 'feature.patch'), 'utf8'),
    })),
  )
}

let dataset: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cb-research-'))
  // A copy of the demo repository with a subset of two pairs whose gold patches merge cleanly,
  // as a researcher would pick a subset for a quick comparison (two, not more: every pair is two
  // sandboxes and an evaluation per model, and two already give each rate its interval).
  dataset = join(work, 'dataset')
  await cp(join(DEMO_DATASET, 'textkit_task'), join(dataset, 'textkit_task'), { recursive: true })
  await mkdir(join(dataset, 'subsets'))
  const subset = {
    name: 'clean2',
    description: 'two textkit pairs that merge cleanly',
    tasks: [
      {
        repo: 'textkit_task',
        task_id: 12,
        pairs: [
          [1, 2],
          [3, 4],
        ],
      },
    ],
  }
  await writeFile(join(dataset, 'subsets', 'clean2.json'), JSON.stringify(subset))
  const features = await goldPatches()
  server = await startScriptedLlmServer({
    models: ['good-model', 'idle-model'],
    script: (request) => {
      const messages = request.body.messages
      const steps = messages.filter((m) => m.role === 'assistant').length
      if (!String(request.body.model).includes('good') || steps > 0) return finalTurn()
      const task = messages
        .filter((m) => m.role === 'user')
        .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))
        .join('\n')
      const mine = features.find((f) => task.includes(f.spec))
      if (!mine) return finalTurn()
      return toolCall(
        `cat > /tmp/gold.patch <<'${EOF_MARK}'\n${mine.gold.endsWith('\n') ? mine.gold : `${mine.gold}\n`}${EOF_MARK}\ngit apply /tmp/gold.patch && rm /tmp/gold.patch`,
      )
    },
  })
})

afterAll(async () => {
  await server?.close()
  await rm(work, { recursive: true, force: true })
})

function runScript(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--experimental-strip-types', '--no-warnings', SCRIPT, ...args], {
      cwd: work,
      env: { ...process.env, OPENAI_API_KEY: 'sk-test-not-a-real-key-000000', COOPERBENCH_DATA_DIR: join(work, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
}

describe('examples/research-script', () => {
  it('compares two models on a two-pair subset: rates with intervals, costs and the difference', async (context) => {
    const problem = bubblewrapProblem()
    if (problem) {
      if (process.env.CI) throw new Error(`${problem}, and CI is set`)
      context.skip(problem)
    }
    const args = [
      '--models',
      'openai/good-model,openai/idle-model',
      '--base-url',
      server.url,
      '-s',
      'clean2',
      '--dataset-dir',
      dataset,
      '--log-dir',
      join(work, 'logs'),
    ]
    const first = await runScript(args)
    expect(first.code, first.stderr).toBe(0)
    const rows = first.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t'))
    expect(rows[0]).toEqual(['model', 'run', 'pairs', 'passed', 'rate', '95% CI', 'cost'])
    // Wilson's 95% interval of 2 passes in 2 is [34.2%, 100%]; of 0 in 2, [0%, 65.8%].
    expect(rows[1]!.slice(0, 5)).toEqual(['openai/good-model', expect.stringMatching(/^coop-msa-good-model-clean2$/), '2', '2', '100.0%'])
    expect(rows[1]![5]).toMatch(/^\[34\.2%, 100\.0%\]$/)
    expect(rows[2]!.slice(0, 6)).toEqual(['openai/idle-model', 'coop-msa-idle-model-clean2', '2', '0', '0.0%', '[0.0%, 65.8%]'])
    // The scripted models have no price: their cost is unknown, never $0.
    expect(rows[1]![6]).toBe('unknown')
    expect(first.stdout).toContain('difference (openai/good-model − openai/idle-model): 100.0 points')
    expect(first.stderr).toMatch(/openai\/good-model {2}textkit_task\/12\/1,2 {2}pass/)

    // A rerun resumes: every pair is reused, no model call is made.
    const calls = server.chatRequests().length
    const again = await runScript(args)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('difference (openai/good-model − openai/idle-model): 100.0 points')
    expect(server.chatRequests().length).toBe(calls)
  }, 300_000)
})
