import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { scanRun } from '@cooperbench/results'
import { finalTurn, type RecordedChatMessage, startScriptedLlmServer, textTurn, toolCall } from '@cooperbench/testkit/llm-server'
import { sharedOnce } from '../../../../scripts/test/shared-once.js'

/**
 * Real run folders for the viewer's tests, written by the real CLI on the local backend:
 * - `oracle-solo`, `oracle-coop`: the oracle agent on six demo pairs of two repos (solo passes
 *   everything; coop has conflicting gold patches, so merges go through union and some fail);
 * - `team-coop`: mini_swe_agent with `--git` on one conflicting pair, driven by a scripted
 *   OpenAI-compatible model priced as gpt-4o-mini: each agent messages its teammate, looks
 *   around, applies its gold patch, commits and pushes to the shared remote, fetches, submits.
 */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)))
const CLI_BIN = join(REPO_ROOT, 'packages', 'cli', 'bin', 'run.js')
const DEMO_DATASET = join(REPO_ROOT, 'dataset')

export const FIXTURE = {
  soloRun: 'oracle-solo',
  coopRun: 'oracle-coop',
  teamRun: 'team-coop',
  /** The pair of `team-coop`: both gold patches edit `slugify`'s signature. */
  teamPair: { repo: 'textkit_task', task: 7, features: [1, 2] },
  slices: [
    ['-r', 'textkit_task', '-t', '7'],
    ['-r', 'confkit_task', '-t', '5'],
  ],
} as const

export interface FixtureRuns {
  /** Parent of `logs/`. */
  root: string
  logs: string
  /** Where the runs were written (their records may name it): the suite run's shared copy. */
  writtenIn: string
  remove(): Promise<void>
}

/**
 * A copy of the fixture runs for the calling test file: they are written once per suite run (the
 * first file to ask writes them, see `sharedOnce`) and copied, so a file may change its copy.
 */
export async function makeFixtureRuns(): Promise<FixtureRuns> {
  const shared = await sharedOnce('viewer-fixture-runs', writeFixtureRuns)
  const root = await mkdtemp(join(tmpdir(), 'cb-viewer-fixture-'))
  // The runs' folders only: not the sandboxes' TMPDIRs or the CLI's data folder of the runs that wrote them.
  await cp(join(shared, 'logs'), join(root, 'logs'), { recursive: true })
  return { root, logs: join(root, 'logs'), writtenIn: shared, remove: () => rm(root, { recursive: true, force: true }) }
}

/** Writes the fixture runs into `root/logs` with the real CLI. */
async function writeFixtureRuns(root: string): Promise<void> {
  const logs = join(root, 'logs')
  const server = await startScriptedLlmServer({ script: teamModel(await goldPatches()) as never })
  // Judged under cooperbench-0.0.14, whose union merges the tests below read.
  const calm = ['-c', '3', '--eval-concurrency', '3', '--dataset-dir', DEMO_DATASET, '--policy', 'cooperbench-0.0.14']
  const commands: Record<string, Array<{ args: string[]; env?: Record<string, string> }>> = {
    [FIXTURE.soloRun]: FIXTURE.slices.map((slice) => ({
      args: ['run', '-s', 'demo', ...slice, '-a', 'oracle', '--setting', 'solo', '-n', FIXTURE.soloRun, ...calm],
    })),
    [FIXTURE.coopRun]: FIXTURE.slices.map((slice) => ({
      args: ['run', '-s', 'demo', ...slice, '-a', 'oracle', '--setting', 'coop', '-n', FIXTURE.coopRun, ...calm],
    })),
    [FIXTURE.teamRun]: [
      {
        args: [
          'run',
          '-r',
          FIXTURE.teamPair.repo,
          '-t',
          String(FIXTURE.teamPair.task),
          '-f',
          FIXTURE.teamPair.features.join(','),
          '-a',
          'mini_swe_agent',
          '--git',
          '-n',
          FIXTURE.teamRun,
          '-m',
          'openai/gpt-4o-mini',
          ...calm,
        ],
        // OPENAI_BASE_URL (unlike --model-base-url) keeps OpenAI's prices, so the run has a cost.
        env: { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000', OPENAI_BASE_URL: server.url },
      },
    ],
  }
  try {
    await Promise.all(
      Object.entries(commands).map(async ([run, steps]) => {
        for (const step of steps) await cli(root, step.args, step.env)
        await settle(root, logs, run, steps)
      }),
    )
  } finally {
    await server.close()
  }
}

/**
 * A sandbox that fails to start (a busy machine) leaves an `Error` agent or an evaluation
 * error; the tests need the runs as the agents and the evaluator mean them. A rerun of the
 * same command retries `Error` agents; `eval --force` redoes the evaluations.
 */
async function settle(root: string, logs: string, run: string, steps: Array<{ args: string[]; env?: Record<string, string> }>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const { agentErrors, evalErrors } = await infrastructureErrors(join(logs, run))
    if (agentErrors + evalErrors === 0) return
    if (attempt === 2) throw new Error(`${run}: ${agentErrors} agent errors and ${evalErrors} evaluation errors remain after 2 retries`)
    if (agentErrors > 0) for (const step of steps) await cli(root, step.args, step.env)
    await cli(root, ['eval', '-n', run, '--force', '-c', '3', '--dataset-dir', DEMO_DATASET])
  }
}

async function infrastructureErrors(runDir: string): Promise<{ agentErrors: number; evalErrors: number }> {
  let agentErrors = 0
  let evalErrors = 0
  for (const pair of await scanRun(runDir)) {
    const result = pair.result
    const agents = result?.setting === 'coop' ? Object.values(result.agents) : result?.setting === 'solo' ? [result.agent] : []
    if (!result || agents.some((a) => a.status === 'Error')) agentErrors++
    else if (!pair.eval || pair.eval.error) evalErrors++
  }
  return { agentErrors, evalErrors }
}

/** Runs `cooperbench <args>` in `cwd`; resolves to its stdout, rejects with both streams on a non-zero exit. */
export function cli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const childEnv: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('COOPERBENCH_')) childEnv[key] = value
  // Hermetic: no plugins or settings of the user running the tests. A private TMPDIR per
  // invocation: the local backend keeps its sandboxes and bundle cache there, and concurrent
  // runs sharing one were seen to break each other's sandboxes.
  const tmp = mkdtempSync(join(cwd, '.tmp-'))
  Object.assign(childEnv, { NO_COLOR: '1', COOPERBENCH_DATA_DIR: join(cwd, '.cooperbench-data'), TMPDIR: tmp })
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd, env: { ...childEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolvePromise(stdout) : reject(new Error(`cooperbench ${args.join(' ')} exited ${code}:\n${stdout}\n${stderr}`)),
    )
  })
}

async function goldPatches(): Promise<Map<number, string>> {
  const dir = join(DEMO_DATASET, FIXTURE.teamPair.repo, `task${FIXTURE.teamPair.task}`, 'feature')
  const patches = new Map<number, string>()
  for (const id of FIXTURE.teamPair.features) patches.set(id, await readFile(`${dir}${id}/feature.patch`, 'utf8'))
  return patches
}

const EOF = 'COOPERBENCH_FIXTURE_EOF'
const text = (m: RecordedChatMessage | undefined) => (typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? ''))

function teamModel(gold: Map<number, string>) {
  return (request: { body: { messages: RecordedChatMessage[]; tools?: unknown[] } }) => {
    const messages = request.body.messages
    if (!request.body.tools?.length) return textTurn('Summary: nothing to add.')
    const task = text(messages.find((m) => m.role === 'user'))
    const team = /You are \*\*(agent\d+)\*\*\. Your teammate is \*\*(agent\d+)\*\*/.exec(task)
    if (!team) return textTurn('cannot tell which agent this is')
    const [, me, peer] = team as unknown as [string, string, string]
    // Agents are numbered in feature order: agent1 implements the first feature.
    const feature = FIXTURE.teamPair.features[Number(me.slice('agent'.length)) - 1]!
    const steps = messages.filter((m) => m.role === 'assistant').length
    const usage = { promptTokens: 1500 + 400 * steps, completionTokens: 60 + 10 * steps, cachedTokens: 0 }
    const plan = [
      toolCall(`send_message ${peer} "${me} here: I am implementing feature ${feature}; I will change the signature of slugify in textkit/slug.py."`, {
        usage,
      }),
      toolCall('git status --short && grep -n "def slugify" textkit/slug.py && sed -n 1,40p textkit/slug.py', { usage }),
      toolCall(`cat > /tmp/gold.patch <<'${EOF}'\n${gold.get(feature)}${EOF}\ngit apply /tmp/gold.patch && rm /tmp/gold.patch && git diff --stat`, { usage }),
      toolCall(`git add -A && git -c user.name=${me} -c user.email=${me}@example.com commit -qm "feature ${feature}" && git push team ${me}`, { usage }),
      toolCall(`git fetch team && git log team/${peer} --oneline | head -3`, { usage }),
      finalTurn({ usage }),
    ]
    return plan[Math.min(steps, plan.length - 1)]!
  }
}
