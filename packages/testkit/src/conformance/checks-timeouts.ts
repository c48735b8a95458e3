import { setTimeout as sleep } from 'node:timers/promises'
import type { Sandbox } from '@cooperbench/core'
import { hostProcessListing, leftoverProcesses, PROCESS_LISTING_SCRIPT } from './processes.js'
import { type CheckOptions, DEFAULT_PROMPT_MS, sleeper, preview, violation, resultMatches, within, run } from './check-support.js'

// Timeouts and aborts

/** Waits until no process whose command line contains `marker` is left, or fails. */
export async function assertProcessesGone(sandbox: Sandbox, marker: string, what: string, options: CheckOptions): Promise<void> {
  const promptMs = options.promptMs ?? DEFAULT_PROMPT_MS
  const deadline = Date.now() + promptMs
  for (;;) {
    const listing = await run(sandbox, PROCESS_LISTING_SCRIPT, { timeoutMs: 30_000 })
    const lines = listing.stdout.split('\n')
    if (lines.includes('NO-PROCESS-LIST')) violation(`${what}: the sandbox has neither /proc nor ps, so leftover processes cannot be checked`)
    // The listing must at least see itself, or an empty answer proves nothing.
    if (listing.exitCode !== 0 || !lines.some((line) => line.includes('NO-PROCESS""-LIST'))) {
      violation(`${what}: listing the sandbox's processes failed, so leftover processes cannot be checked (${preview(listing)})`)
    }
    const inside = leftoverProcesses(listing.stdout, marker)
    const host = options.hostProcesses ? leftoverProcesses(await hostProcessListing(), marker) : []
    if (inside.length === 0 && host.length === 0) return
    if (Date.now() > deadline) {
      const where = [inside.length ? `inside the sandbox: ${inside.join(' / ')}` : '', host.length ? `on this machine: ${host.join(' / ')}` : '']
      violation(`${what}: processes it started are still running ${promptMs} ms later (${where.filter(Boolean).join('; ')})`)
    }
    await sleep(100)
  }
}

/** A command still running at `timeoutMs` returns promptly with exit code -1 and `timedOut: true`. */
export async function checkTimeout(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const promptMs = options.promptMs ?? DEFAULT_PROMPT_MS
  const { sleep: command } = sleeper()
  const started = Date.now()
  const result = await within(sandbox.exec(`${command}; echo never`, { timeoutMs: 500 }), 500 + promptMs, `\`${command}\` with timeoutMs 500`)
  resultMatches(result, { exitCode: -1, timedOut: true }, `\`${command}\` with timeoutMs 500`)
  if (result.stdout.includes('never')) violation('the command went on after its timeout')
  if (Date.now() - started < 400) violation(`\`${command}\` with timeoutMs 500 returned after ${Date.now() - started} ms, before its timeout`)
}

/** A timeout kills everything the command started, background children included. */
export async function checkTimeoutKillsChildren(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const promptMs = options.promptMs ?? DEFAULT_PROMPT_MS
  const { marker, sleep: command } = sleeper()
  const script = `bash -c '${command} & ${command}'`
  const result = await within(sandbox.exec(script, { timeoutMs: 500 }), 500 + promptMs, `\`${script}\` with timeoutMs 500`)
  resultMatches(result, { exitCode: -1, timedOut: true }, `\`${script}\` with timeoutMs 500`)
  await assertProcessesGone(sandbox, marker, `\`${script}\` killed by its timeout`, options)
}

/** Aborting `signal` mid-command kills it (and its children) like a timeout: exit code -1, `timedOut: true`. */
export async function checkAbortSignal(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const promptMs = options.promptMs ?? DEFAULT_PROMPT_MS
  const { marker, sleep: command } = sleeper()
  const script = `bash -c '${command} & ${command}'`
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), 300)
  try {
    const result = await within(sandbox.exec(script, { signal: controller.signal }), 300 + promptMs, `\`${script}\` aborted after 300 ms`)
    resultMatches(result, { exitCode: -1, timedOut: true }, `\`${script}\` aborted after 300 ms`)
  } finally {
    clearTimeout(timer)
  }
  await assertProcessesGone(sandbox, marker, `\`${script}\` killed by its abort signal`, options)
}

/** A command given an already aborted signal returns at once with exit code -1 and `timedOut: true`. */
export async function checkAlreadyAbortedSignal(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const promptMs = options.promptMs ?? DEFAULT_PROMPT_MS
  const { sleep: command } = sleeper()
  const result = await within(sandbox.exec(command, { signal: AbortSignal.abort() }), promptMs, `\`${command}\` with an aborted signal`)
  resultMatches(result, { exitCode: -1, timedOut: true }, `\`${command}\` with an aborted signal`)
}

/** A command that ends before its timeout (or with a signal that never aborts) is unaffected. */
export async function checkFinishesBeforeTimeout(sandbox: Sandbox): Promise<void> {
  const quick = await sandbox.exec('echo quick; exit 3', { timeoutMs: 10_000 })
  resultMatches(quick, { exitCode: 3, stdout: 'quick\n', timedOut: false }, '`echo quick; exit 3` with timeoutMs 10000')
  const signalled = await sandbox.exec(['echo', 'signalled'], { signal: new AbortController().signal, timeoutMs: 10_000 })
  resultMatches(signalled, { exitCode: 0, stdout: 'signalled\n', timedOut: false }, "['echo', 'signalled'] with a signal that never aborts")
  const slow = await sandbox.exec('sleep 0.3; echo done', { timeoutMs: 10_000 })
  resultMatches(slow, { exitCode: 0, stdout: 'done\n', timedOut: false }, '`sleep 0.3; echo done` with timeoutMs 10000')
  if (!(slow.durationMs >= 250 && slow.durationMs < 10_000)) violation(`\`sleep 0.3\`: durationMs should be about 300, got ${slow.durationMs}`)
}
