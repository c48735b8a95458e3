import { randomBytes, randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Backend, SANDBOX_LABELS, SANDBOX_PATCHES_DIR, SANDBOX_REPO_DIR, type Sandbox } from '@cooperbench/core'
import { hostProcessListing, leftoverProcesses } from './processes.js'
import {
  type CheckOptions,
  DEFAULT_PROMPT_MS,
  sleeper,
  scratch,
  quote,
  preview,
  violation,
  same,
  resultMatches,
  within,
  rejection,
  attempt,
  run,
  must,
  sha256,
} from './check-support.js'

// Isolation

/**
 * Files one sandbox writes (by writeFile and by a command) in each of `dirs` are invisible to
 * the others, and every sandbox runs commands at the same time as the others.
 */
export async function checkSandboxesIsolated(sandboxes: readonly Sandbox[], options: { dirs?: readonly string[] } = {}): Promise<void> {
  if (sandboxes.length < 2) throw new Error('checkSandboxesIsolated needs at least two sandboxes')
  same(new Set(sandboxes.map((s) => s.id)).size, sandboxes.length, 'sandbox ids are distinct')
  const dirs = options.dirs ?? [SANDBOX_REPO_DIR, SANDBOX_PATCHES_DIR, '/tmp']
  const outputs = await Promise.all(sandboxes.map((s, index) => run(s, ['bash', '-c', `sleep 0.2; echo ${index}`])))
  same(
    outputs.map((r) => r.stdout),
    sandboxes.map((_, index) => `${index}\n`),
    'the same command in every sandbox at once',
  )
  const name = `cooperbench-isolation-${randomBytes(4).toString('hex')}`
  const own = (index: number) => dirs.flatMap((dir) => [`${dir}/${name}-${index}.exec`, `${dir}/${name}-${index}.file`]).sort()
  try {
    for (const [index, owner] of sandboxes.entries()) {
      for (const dir of dirs) {
        await owner.writeFile(`${dir}/${name}-${index}.file`, `written by ${index}\n`)
        await must(owner, `echo ${index} > ${quote(`${dir}/${name}-${index}.exec`)}`, `writing in sandbox ${index}`)
      }
    }
    for (const [index, viewer] of sandboxes.entries()) {
      const listing = await run(viewer, ['find', ...dirs, '-maxdepth', '1', '-name', `${name}-*`])
      const seen = listing.stdout.split('\n').filter((line) => line !== '')
      const foreign = seen.filter((path) => !own(index).includes(path))
      if (foreign.length > 0) violation(`sandbox ${index} (${viewer.id}) sees files another sandbox wrote: ${foreign.join(', ')}`)
      const missing = own(index).filter((path) => !seen.includes(path))
      if (missing.length > 0) violation(`sandbox ${index} (${viewer.id}) does not see its own files: ${missing.join(', ')}`)
    }
  } finally {
    await Promise.allSettled(sandboxes.map((s, index) => run(s, ['rm', '-f', ...own(index)])))
  }
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

/** terminate resolves, again, and twice at once. Terminates the sandbox. */
export async function checkTerminateIdempotent(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const promptMs = options.promptMs ?? DEFAULT_PROMPT_MS
  await within(attempt(sandbox.terminate(), 'terminate'), promptMs * 2, 'terminate')
  await within(attempt(sandbox.terminate(), 'a second terminate'), promptMs, 'a second terminate')
  await within(attempt(Promise.all([sandbox.terminate(), sandbox.terminate()]), 'two concurrent terminate calls'), promptMs, 'two concurrent terminate calls')
}

/**
 * terminate while a command runs: both resolve promptly, the command with exit code -1, and its
 * processes are gone. Terminates the sandbox.
 */
export async function checkTerminateDuringExec(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const promptMs = options.promptMs ?? DEFAULT_PROMPT_MS
  const { marker, sleep: command } = sleeper()
  const started = `${scratch(options)}.started`
  let settled = false
  const running = sandbox.exec(`touch ${started}; ${command}; echo never`).finally(() => {
    settled = true
  })
  running.catch(() => {})
  // Wait until the command really runs.
  const deadline = Date.now() + 30_000
  for (;;) {
    const seen = await sandbox.readFile(started).then(
      () => true,
      () => false,
    )
    if (seen) break
    if (settled) {
      const early = await running.catch((error: unknown) => error)
      violation(`\`${command}\` ended before terminate: ${preview(early)}`)
    }
    if (Date.now() > deadline) violation(`\`touch ${started}\` did not take effect within 30 s`)
    await sleep(50)
  }
  await within(attempt(sandbox.terminate(), 'terminate while a command runs'), promptMs * 2, 'terminate while a command runs')
  const result = await within(
    running.catch((error: unknown) => violation(`the command running during terminate rejected instead of resolving: ${String(error)}`)),
    promptMs,
    'the command running during terminate',
  )
  resultMatches(result, { exitCode: -1 }, 'the command running during terminate')
  if (result.stdout.includes('never')) violation('the command went on after terminate')
  if (options.hostProcesses) {
    const deadlineGone = Date.now() + promptMs
    for (;;) {
      const left = leftoverProcesses(await hostProcessListing(), marker)
      if (left.length === 0) break
      if (Date.now() > deadlineGone) violation(`processes of the terminated sandbox still run on this machine: ${left.join(' / ')}`)
      await sleep(100)
    }
  }
}

/** exec, writeFile and readFile on a terminated sandbox reject. Terminates the sandbox. */
export async function checkUseAfterTerminateRejects(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const promptMs = options.promptMs ?? DEFAULT_PROMPT_MS
  await within(attempt(sandbox.terminate(), 'terminate'), promptMs * 2, 'terminate')
  await within(
    rejection(() => sandbox.exec('true'), 'exec after terminate'),
    promptMs,
    'exec after terminate',
  )
  await within(
    rejection(() => sandbox.exec(['true']), 'exec of argv after terminate'),
    promptMs,
    'exec of argv after terminate',
  )
  const path = `${scratch(options)}.after-terminate`
  await within(
    rejection(() => sandbox.writeFile(path, 'x'), 'writeFile after terminate'),
    promptMs,
    'writeFile after terminate',
  )
  await within(
    rejection(() => sandbox.readFile(path), 'readFile after terminate'),
    promptMs,
    'readFile after terminate',
  )
}

/**
 * Nothing labelled with `runName` (label {@link SANDBOX_LABELS.run}) is left: `listSandboxes`
 * lists none and `reap` removes none, for the methods the backend has. Call it after every
 * sandbox was terminated and the backend closed. Returns the methods it could check.
 */
export async function checkNoLeftovers(backend: Backend, runName: string): Promise<Array<'listSandboxes' | 'reap'>> {
  const checked: Array<'listSandboxes' | 'reap'> = []
  if (backend.listSandboxes) {
    const listed = await backend.listSandboxes({ runName })
    const ours = listed.filter((info) => info.labels[SANDBOX_LABELS.run] === runName)
    if (ours.length > 0) violation(`listSandboxes still lists sandboxes of run ${runName}: ${ours.map((info) => `${info.id} (${info.state})`).join(', ')}`)
    checked.push('listSandboxes')
  }
  if (backend.reap) {
    const reaped = await backend.reap({ runName })
    if (reaped !== 0) violation(`reap({ runName: ${runName} }) removed ${reaped} leftover sandbox(es); expected none`)
    checked.push('reap')
  }
  return checked
}

/**
 * `exposePort` (optional): a server a command starts in the sandbox on 127.0.0.1 is reachable at
 * the returned URL, byte for byte, over several connections at once; the same port gives the same
 * URL. (A no-op for sandboxes without the capability.)
 */
export async function checkExposedPort(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  if (!sandbox.exposePort) return
  const dir = scratch(options)
  const port = randomInt(20_000, 40_000)
  const data = new Uint8Array(randomBytes(2 * 1024 * 1024))
  const server = new AbortController()
  await sandbox.writeFile(`${dir}/blob.bin`, data)
  const serving = sandbox.exec(`cd ${dir} && exec python3 -m http.server ${port} --bind 127.0.0.1`, { timeoutMs: 120_000, signal: server.signal })
  try {
    const url = await within(sandbox.exposePort(port), 30_000, `exposePort(${port})`)
    if (!/^https?:\/\/[^/]+$/.test(url)) violation(`exposePort returned ${JSON.stringify(url)}, not a base URL`)
    same(await sandbox.exposePort(port), url, 'exposePort of the same port again')
    let listing: Response | undefined
    for (const deadline = Date.now() + 20_000; Date.now() < deadline && !listing?.ok; ) {
      listing = await fetch(`${url}/`).catch(() => undefined)
      if (!listing?.ok) await sleep(200)
    }
    if (!listing?.ok) violation(`the server in the sandbox never answered at ${url} (last status ${listing?.status ?? 'none'})`)
    const bodies = await Promise.all([1, 2, 3].map(async () => new Uint8Array(await (await fetch(`${url}/blob.bin`)).arrayBuffer())))
    for (const body of bodies) {
      if (!Buffer.from(body).equals(data))
        violation(`2 MiB through the exposed port: ${body.length} bytes came back, sha256 ${sha256(body)} instead of ${sha256(data)}`)
    }
  } finally {
    server.abort()
    await serving.catch(() => undefined)
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}
