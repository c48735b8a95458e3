import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const cli = join(root, 'packages/cli/bin/run.js')

/** Runs the built CLI in `cwd`; resolves with exit code, output and wall time in seconds. */
export function runCli(args, cwd, env = process.env) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, [cli, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 }))
  })
}

/** The temp folders of this benchmark, removed when it exits (kept with BENCH_KEEP=1, to look at). */
const madeFolders = []
process.on('exit', () => {
  if (process.env.BENCH_KEEP === '1') return
  for (const dir of madeFolders) rmSync(dir, { recursive: true, force: true })
})
// Interrupted: exit, so that the folders go too.
process.once('SIGINT', () => process.exit(130))

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  madeFolders.push(dir)
  return dir
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Two-sided 95 % quantiles of Student's t for 1 to 30 degrees of freedom (1.96 beyond). */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
]

/**
 * Ratios of two arms measured side by side, one per round (or per pair): their geometric mean and
 * its 95 % interval, a t-interval on their logarithms. A load that changes between rounds moves
 * both arms of a round alike, so it widens the interval instead of biasing the figure, as pooled
 * medians of each arm do.
 */
export function pairedRatio(ratios) {
  const logs = ratios.map(Math.log)
  const n = logs.length
  const mean = logs.reduce((a, b) => a + b, 0) / n
  const sd = n > 1 ? Math.sqrt(logs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : Number.POSITIVE_INFINITY
  const half = ((T_975[n - 2] ?? 1.96) * sd) / Math.sqrt(n)
  return { n, ratio: Math.exp(mean), low: Math.exp(mean - half), high: Math.exp(mean + half), median: median(ratios) }
}

/** `1.021 [0.998, 1.045] (95 %, 12 paired; median 1.019)`. */
export function ratioText({ n, ratio, low, high, median: mid }) {
  return `${ratio.toFixed(3)} [${low.toFixed(3)}, ${high.toFixed(3)}] (95 %, ${n} paired; median ${mid.toFixed(3)})`
}

/** Whether the interval tells a ratio from `goal`: at most it, over it, or not yet resolved. */
export function verdictOf({ low, high }, goal) {
  if (high <= goal) return `within the goal (≤ ${goal})`
  if (low > goal) return `over the goal (≤ ${goal})`
  return `unresolved: the interval spans the goal ${goal}`
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

/**
 * The scripted model of the pair benchmarks: each call answered after `delayMs`, a command
 * (`echo step N > notes_N.txt`) until the agent's `steps`-th call, which submits. `peak()` is the
 * most calls that were in flight at once.
 */
export async function startStepModel({ steps, delayMs }) {
  const { startScriptedLlmServer, toolCall, finalTurn } = await import(join(root, 'packages/testkit/dist/llm-server/index.js'))
  let inFlight = 0
  let peakInFlight = 0
  const server = await startScriptedLlmServer({
    script: async (request) => {
      inFlight++
      peakInFlight = Math.max(peakInFlight, inFlight)
      await sleep(delayMs)
      inFlight--
      const step = request.body.messages.filter((m) => m.role === 'assistant').length
      return step + 1 >= steps ? finalTurn() : toolCall(`echo step ${step} > notes_${step}.txt`)
    },
  })
  return { url: server.url, close: () => server.close(), peak: () => peakInFlight }
}
