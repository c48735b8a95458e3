import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { mkdtempSync } from 'node:fs'
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

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
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
