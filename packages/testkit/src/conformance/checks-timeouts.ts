import { setTimeout as sleep } from 'node:timers/promises'
import type { ExecResult, Sandbox } from '@cooperbench/core'
import { hostProcessListing, leftoverProcesses, PROCESS_LISTING_SCRIPT } from './processes.js'
import { type CheckOptions, DEFAULT_PROMPT_MS, sleeper, preview, violation, resultMatches, within, run, scratch } from './check-support.js'

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

/**
 * The bounds a kill check tries in turn: on a busy machine a command may not even have started
 * its children when a short timeout (or abort) ends it, and a check that killed nothing proves
 * nothing, so it tries again with a longer one.
 */
const KILL_AFTER_MS = [500, 2_000, 8_000] as const

/**
 * Runs `bash -c 'sleep & touch started; sleep'`, ended by `end(afterMs)`'s timeout or abort, until a
 * run ended after its children had started (the file exists), then checks that none is left.
 */
async function checkKillsChildren(
  sandbox: Sandbox,
  options: CheckOptions,
  how: string,
  end: (script: string, afterMs: number) => Promise<ExecResult>,
): Promise<void> {
  const promptMs = options.promptMs ?? DEFAULT_PROMPT_MS
  for (const afterMs of KILL_AFTER_MS) {
    const { marker, sleep: command } = sleeper()
    const started = `${scratch(options)}.started`
    const script = `bash -c '${command} & touch ${started}; ${command}'`
    const what = `\`${script}\` ${how} after ${afterMs} ms`
    const result = await within(end(script, afterMs), afterMs + promptMs, what)
    resultMatches(result, { exitCode: -1, timedOut: true }, what)
    const begun = (await run(sandbox, `test -e ${started} && rm -f ${started}`, { timeoutMs: 30_000 })).exitCode === 0
    await assertProcessesGone(sandbox, marker, `${what}`, options)
    if (begun) return
  }
  violation(`a command never started its children within ${KILL_AFTER_MS.at(-1)} ms, so killing them could not be checked`)
}

/** A timeout kills everything the command started, background children included. */
export async function checkTimeoutKillsChildren(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  await checkKillsChildren(sandbox, options, 'killed by its timeout', (script, afterMs) => sandbox.exec(script, { timeoutMs: afterMs }))
}

/** Aborting `signal` mid-command kills it (and its children) like a timeout: exit code -1, `timedOut: true`. */
export async function checkAbortSignal(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  await checkKillsChildren(sandbox, options, 'killed by its abort signal', async (script, afterMs) => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), afterMs)
    try {
      return await sandbox.exec(script, { signal: controller.signal })
    } finally {
      clearTimeout(timer)
    }
  })
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
