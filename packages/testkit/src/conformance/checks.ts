import { createHash, randomBytes, randomInt } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Backend, type ExecOptions, type ExecResult, SANDBOX_LABELS, SANDBOX_PATCHES_DIR, SANDBOX_REPO_DIR, SANDBOX_RUNNER_PATH, type Sandbox } from '@cooperbench/core'
import { parseTestOutput } from '@cooperbench/core/evaluator'
import type { ConformanceFixture } from './fixture.js'
import { hostProcessListing, leftoverProcesses, PROCESS_LISTING_SCRIPT } from './processes.js'

/**
 * Thrown by a conformance check when the sandbox or backend breaks the contract. The message
 * says what was expected and what happened.
 */
export class ConformanceViolation extends Error {
  override readonly name = 'ConformanceViolation'
}

/** Settings shared by the checks. */
export interface CheckOptions {
  /**
   * How long a killed command (timeout, abort, terminate) and `terminate` itself may take to
   * return, in ms, on top of the timeout. Default 5000.
   */
  promptMs?: number
  /**
   * Also look for leftover processes in this machine's process table, for backends whose
   * sandboxes are processes here (isolation `none` or `process`). Whatever the setting, the
   * processes the sandbox itself can see are checked.
   */
  hostProcesses?: boolean
  /**
   * Directory in the sandbox where checks make their scratch files (each check its own
   * `cooperbench-conformance-<random>` entry, removed afterwards). Default `/tmp`.
   */
  scratchDir?: string
}

const DEFAULT_PROMPT_MS = 5_000

/** A command that sleeps for 30 s under a unique, recognisable command line. */
function sleeper(): { marker: string; sleep: string } {
  const marker = `30.${randomInt(100_000_000, 999_999_999)}`
  return { marker, sleep: `sleep ${marker}` }
}

/** A fresh path under the scratch directory for one check's files. */
function scratch(options: CheckOptions): string {
  return `${options.scratchDir ?? '/tmp'}/cooperbench-conformance-${randomBytes(6).toString('hex')}`
}

function quote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 300 ? `${value.slice(0, 300)}… (${value.length} chars)` : value)
  if (value instanceof Uint8Array) return `<${value.length} bytes>`
  if (value && typeof value === 'object') {
    return `{ ${Object.entries(value)
      .map(([key, entry]) => `${key}: ${preview(entry)}`)
      .join(', ')} }`
  }
  return String(value)
}

function violation(message: string): never {
  throw new ConformanceViolation(message)
}

/** Fails unless `actual` deep-equals `expected`. */
function same(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) violation(`${what}: expected ${preview(expected)}, got ${preview(actual)}`)
}

/** Fails unless every given field of the result has the expected value. */
function resultMatches(result: ExecResult, expected: Partial<ExecResult>, what: string): void {
  for (const [key, value] of Object.entries(expected)) {
    if (!isDeepStrictEqual(result[key as keyof ExecResult], value)) {
      violation(`${what}: expected ${key} ${preview(value)}, got ${preview(result[key as keyof ExecResult])} (result ${preview(result)})`)
    }
  }
}

/** Resolves like `promise`, or fails when it has not settled after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  // A late rejection after the deadline must not surface as an unhandled rejection.
  promise.catch(() => {})
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConformanceViolation(`${what} did not return within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** The rejection of `call()` (a synchronous throw counts too); fails when it resolves. */
async function rejection(call: () => Promise<unknown>, what: string): Promise<unknown> {
  let outcome: unknown
  try {
    outcome = await call()
  } catch (error) {
    return error
  }
  return violation(`${what}: expected a rejection, it resolved with ${preview(outcome)}`)
}

/** Resolves like `promise`; a rejection becomes a violation naming `what`. */
async function attempt<T>(promise: Promise<T>, what: string): Promise<T> {
  try {
    return await promise
  } catch (error) {
    if (error instanceof ConformanceViolation) throw error
    return violation(`${what} rejected: ${error instanceof Error ? error.message : String(error)}`)
  }
}

async function run(sandbox: Sandbox, command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
  return sandbox.exec(command, { timeoutMs: 60_000, ...options })
}

/** Runs a setup command that must succeed. */
async function must(sandbox: Sandbox, command: string, what: string): Promise<ExecResult> {
  const result = await run(sandbox, command)
  if (result.exitCode !== 0) violation(`${what}: \`${command}\` exited ${result.exitCode}: ${preview(result.stderr || result.stdout)}`)
  return result
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex')

// ---------------------------------------------------------------------------------------------
// The sandbox's paths

/** `/workspace/repo` is a clean checkout of the task's base commit. */
export async function checkRepoAtBaseCommit(sandbox: Sandbox, baseCommit: string): Promise<void> {
  const head = await run(sandbox, ['git', 'rev-parse', 'HEAD'], { cwd: SANDBOX_REPO_DIR })
  resultMatches(head, { exitCode: 0, stdout: `${baseCommit}\n` }, `git rev-parse HEAD in ${SANDBOX_REPO_DIR}`)
  const status = await run(sandbox, ['git', 'status', '--porcelain'], { cwd: SANDBOX_REPO_DIR })
  resultMatches(status, { exitCode: 0, stdout: '' }, `git status --porcelain in ${SANDBOX_REPO_DIR} (a clean work tree)`)
}

/** Commands and writeFile can create, read and delete files in `dirs` (default: the repo, `/patches`, `/tmp`). */
export async function checkWritableDirectories(
  sandbox: Sandbox,
  dirs: readonly string[] = [SANDBOX_REPO_DIR, SANDBOX_PATCHES_DIR, '/tmp'],
): Promise<void> {
  const name = `cooperbench-writable-${randomBytes(4).toString('hex')}`
  for (const dir of dirs) {
    const path = `${dir}/${name}`
    const written = await run(sandbox, `echo written > ${quote(path)} && cat ${quote(path)} && rm ${quote(path)}`)
    resultMatches(written, { exitCode: 0, stdout: 'written\n' }, `writing ${path} from a command`)
    await sandbox.writeFile(path, 'via writeFile\n')
    same(Buffer.from(await sandbox.readFile(path)).toString('utf8'), 'via writeFile\n', `readFile of ${path} after writeFile`)
    resultMatches(await run(sandbox, ['cat', path]), { exitCode: 0, stdout: 'via writeFile\n' }, `cat of ${path} after writeFile`)
    await must(sandbox, `rm -f ${quote(path)}`, `removing ${path}`)
  }
}

/**
 * The evaluator's contract: patches written to `/patches`, then `bash /usr/local/bin/runner.sh
 * <tests patch> [<feature patch>]` runs the task's tests against `/workspace/repo`. With the
 * conformance fixture's tests patch alone one test passes and one fails; with its feature patch
 * too both pass. Both outputs carry a pytest summary line the harness parses.
 */
export async function checkRunnerContract(sandbox: Sandbox, fixture: Pick<ConformanceFixture, 'testsPatch' | 'featurePatch'>): Promise<void> {
  const id = randomBytes(4).toString('hex')
  const tests = `conformance-tests-${id}.patch`
  const feature = `conformance-feature-${id}.patch`
  await sandbox.writeFile(`${SANDBOX_PATCHES_DIR}/${tests}`, fixture.testsPatch)
  await sandbox.writeFile(`${SANDBOX_PATCHES_DIR}/${feature}`, fixture.featurePatch)
  try {
    const present = await run(sandbox, ['test', '-f', SANDBOX_RUNNER_PATH])
    resultMatches(present, { exitCode: 0 }, `test -f ${SANDBOX_RUNNER_PATH}`)

    const alone = await run(sandbox, `bash ${SANDBOX_RUNNER_PATH} ${tests}`, { timeoutMs: 120_000 })
    const aloneCounts = parseTestOutput(`${alone.stdout}\n${alone.stderr}`)
    const aloneWhat = `runner.sh with the tests patch alone (output ${preview(alone.stdout + alone.stderr)})`
    if (alone.exitCode === 0 || alone.timedOut) violation(`${aloneWhat}: expected a failing exit code, got ${alone.exitCode}`)
    same({ passed: aloneCounts.passed, failed: aloneCounts.failed }, { passed: 1, failed: 1 }, `${aloneWhat}: test counts`)

    const both = await run(sandbox, `bash ${SANDBOX_RUNNER_PATH} ${tests} ${feature}`, { timeoutMs: 120_000 })
    const bothCounts = parseTestOutput(`${both.stdout}\n${both.stderr}`)
    const bothWhat = `runner.sh with the tests and feature patches (output ${preview(both.stdout + both.stderr)})`
    resultMatches(both, { exitCode: 0, timedOut: false }, bothWhat)
    same({ passed: bothCounts.passed, failed: bothCounts.failed }, { passed: 2, failed: 0 }, `${bothWhat}: test counts`)
  } finally {
    await run(sandbox, ['rm', '-f', `${SANDBOX_PATCHES_DIR}/${tests}`, `${SANDBOX_PATCHES_DIR}/${feature}`]).catch(() => {})
  }
}

// ---------------------------------------------------------------------------------------------
// exec

/** Exit codes come back as they are: 0, 3, and 127 for an unknown command run by the shell. */
export async function checkExitCodes(sandbox: Sandbox): Promise<void> {
  resultMatches(await run(sandbox, 'exit 0'), { exitCode: 0, timedOut: false, truncated: false }, '`exit 0`')
  resultMatches(await run(sandbox, 'exit 3'), { exitCode: 3, timedOut: false, truncated: false }, '`exit 3`')
  resultMatches(await run(sandbox, ['bash', '-c', 'exit 3']), { exitCode: 3, timedOut: false }, "['bash', '-c', 'exit 3']")
  const unknown = `cooperbench-no-such-command-${randomBytes(4).toString('hex')}`
  resultMatches(await run(sandbox, unknown), { exitCode: 127, timedOut: false }, `an unknown command (${unknown})`)
  const argv = await run(sandbox, [unknown])
  if (argv.exitCode === 0 || argv.timedOut) violation(`an unknown program as argv [${unknown}]: expected a non-zero exit code, got ${preview(argv)}`)
}

/** stdout and stderr are returned separately. */
export async function checkStdoutStderrApart(sandbox: Sandbox): Promise<void> {
  const result = await run(sandbox, 'echo out; echo err >&2; echo out2; echo err2 >&2; exit 3')
  resultMatches(result, { exitCode: 3, stdout: 'out\nout2\n', stderr: 'err\nerr2\n' }, 'a command writing to both streams')
  const quiet = await run(sandbox, 'true')
  resultMatches(quiet, { exitCode: 0, stdout: '', stderr: '' }, '`true`')
}

/** `cwd` sets the working directory, for strings and argv. */
export async function checkCwdOption(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  resultMatches(await run(sandbox, 'pwd', { cwd: '/tmp' }), { exitCode: 0, stdout: '/tmp\n' }, '`pwd` with cwd /tmp')
  const dir = scratch(options)
  await must(sandbox, `mkdir -p ${quote(`${dir}/sub dir`)}`, 'making a directory')
  try {
    resultMatches(await run(sandbox, ['pwd'], { cwd: `${dir}/sub dir` }), { exitCode: 0, stdout: `${dir}/sub dir\n` }, `['pwd'] with cwd ${dir}/sub dir`)
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}

/** Without `cwd` commands run in `/workspace/repo`. */
export async function checkDefaultCwd(sandbox: Sandbox): Promise<void> {
  resultMatches(await run(sandbox, 'pwd'), { exitCode: 0, stdout: `${SANDBOX_REPO_DIR}\n` }, '`pwd` without cwd')
  resultMatches(await run(sandbox, ['pwd']), { exitCode: 0, stdout: `${SANDBOX_REPO_DIR}\n` }, "['pwd'] without cwd")
}

/** `env` adds variables to one command, values verbatim; the next command does not see them. */
export async function checkEnvOption(sandbox: Sandbox): Promise<void> {
  const env = { CB_CONFORMANCE_A: 'two words', CB_CONFORMANCE_B: `x=y; $(echo injected) 'q' "d" \\n` }
  const shell = await run(sandbox, 'printf "%s|%s" "$CB_CONFORMANCE_A" "$CB_CONFORMANCE_B"', { env })
  resultMatches(shell, { exitCode: 0, stdout: `${env.CB_CONFORMANCE_A}|${env.CB_CONFORMANCE_B}` }, 'env seen by a shell command')
  const argv = await run(sandbox, ['printenv', 'CB_CONFORMANCE_B'], { env })
  resultMatches(argv, { exitCode: 0, stdout: `${env.CB_CONFORMANCE_B}\n` }, 'env seen by an argv command')
  const after = await run(sandbox, 'echo "${CB_CONFORMANCE_A-unset}"')
  resultMatches(after, { exitCode: 0, stdout: 'unset\n' }, 'env of an earlier command seen by the next one')
}

/** Text given as `stdin` is the command's input, then end-of-file; without `stdin` a reader sees end-of-file at once. */
export async function checkStdinText(sandbox: Sandbox): Promise<void> {
  const text = 'hello\nwörld ✓\nno newline at the end'
  resultMatches(await run(sandbox, 'cat', { stdin: text }), { exitCode: 0, stdout: text }, '`cat` with text stdin')
  resultMatches(await run(sandbox, ['wc', '-l'], { stdin: 'a\nb\n' }), { exitCode: 0, stdout: '2\n' }, "['wc', '-l'] with text stdin")
  const none = await run(sandbox, 'cat; echo done', { timeoutMs: 10_000 })
  resultMatches(none, { exitCode: 0, stdout: 'done\n', timedOut: false }, '`cat` without stdin (must see end-of-file, not wait)')
}

/** Bytes given as `stdin` arrive unchanged, every byte value included. */
export async function checkStdinBinary(sandbox: Sandbox): Promise<void> {
  const bytes = new Uint8Array(256 * 1024 + 7)
  bytes.set(randomBytes(bytes.length))
  for (let value = 0; value < 256; value++) bytes[value] = value
  const result = await run(sandbox, ['sha256sum'], { stdin: bytes })
  resultMatches(result, { exitCode: 0, stdout: `${sha256(bytes)}  -\n` }, `sha256sum of ${bytes.length} binary stdin bytes`)
  const count = await run(sandbox, 'wc -c', { stdin: bytes })
  same(count.stdout.trim(), String(bytes.length), 'wc -c of binary stdin')
}

/** An array is argv: spaces, quotes, `$`, globs and `;` reach the program unchanged. */
export async function checkArgvNotReparsed(sandbox: Sandbox): Promise<void> {
  const args = ['a b', '  two  spaces ', '$HOME', '"double"', "it's", '*', '; echo injected', '`id`', '$(id)', 'back\\slash', '']
  const result = await run(sandbox, ['printf', '%s|', ...args])
  resultMatches(result, { exitCode: 0, stdout: args.map((arg) => `${arg}|`).join(''), stderr: '' }, 'printf with argv that a shell would re-parse')
  const positional = await run(sandbox, ['bash', '-c', 'printf "%s\\n" "$#" "$1"', 'arg0', 'one arg with spaces'])
  resultMatches(positional, { exitCode: 0, stdout: '1\none arg with spaces\n' }, "['bash', '-c', script, arg0, arg]")
}

/** UTF-8 output is decoded intact, also where a character crosses a read boundary. */
export async function checkUnicodeOutput(sandbox: Sandbox): Promise<void> {
  const text = 'héllo wörld ✓ 日本語 🎉 Ελληνικά'
  resultMatches(await run(sandbox, ['printf', '%s\n', text]), { exitCode: 0, stdout: `${text}\n` }, 'unicode through argv')
  resultMatches(await run(sandbox, `printf '%s\\n' ${quote(text)}`), { exitCode: 0, stdout: `${text}\n` }, 'unicode in a shell command')
  resultMatches(await run(sandbox, `printf '%s' ${quote(text)} >&2`), { exitCode: 0, stderr: text }, 'unicode on stderr')
  // 20 020 three-byte characters; 20 of them are written in two parts with a pause between, so
  // the reader surely gets chunks that end inside a character.
  const split = `s=$(printf '日%.0s' $(seq 1000)); for i in $(seq 20); do printf '%s' "$s"; printf '\\xe6\\x97'; sleep 0.02; printf '\\xa5'; done`
  const many = await run(sandbox, split, { maxOutputBytes: 1_000_000 })
  const what = 'three-byte characters split across writes'
  resultMatches(many, { exitCode: 0, truncated: false }, what)
  const expected = '日'.repeat(20 * 1001)
  if (many.stdout !== expected) {
    const bad = [...many.stdout].findIndex((char) => char !== '日')
    violation(`${what}: ${many.stdout.length} chars came back instead of ${expected.length}, first wrong one at ${bad} (${preview(many.stdout.slice(Math.max(0, bad - 2), bad + 3))})`)
  }
}

/**
 * A string command of about 300 KiB (a heredoc writing a big non-ASCII file, as agents do) runs
 * like a short one, although Linux refuses any one argument over 128 KiB: exit code 0, its
 * output, with `cwd`, `env` and `stdin` applied; with an aborted signal it is stopped like any
 * command. Whatever a backend put in `/tmp` to run it is gone afterwards.
 */
export async function checkLongCommand(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const promptMs = options.promptMs ?? DEFAULT_PROMPT_MS
  const dir = scratch(options)
  const file = `${dir}/long.txt`
  // Only in the command, not in the file it writes: any file in /tmp holding it is a leftover copy.
  const marker = `cooperbench-long-command-${randomBytes(6).toString('hex')}`
  const line = 'héllo wörld ✓ 日本語 🎉 Ελληνικά\n'
  const text = line.repeat(Math.ceil((300 * 1024) / Buffer.byteLength(line)))
  const command = [
    `# ${marker}`,
    `cat > ${quote(file)} <<'COOPERBENCH_EOF'`,
    `${text}COOPERBENCH_EOF`,
    `sha256sum < ${quote(file)}`,
    'printf "%s|%s|%s\\n" "$CB_CONFORMANCE_LONG" "$(cat)" "$(pwd)"',
  ].join('\n')
  const what = `a ${Math.round(Buffer.byteLength(command) / 1024)} KiB command (a heredoc)`
  await must(sandbox, `mkdir -p ${quote(dir)}`, 'making a directory')
  try {
    const result = await attempt(run(sandbox, command, { cwd: dir, env: { CB_CONFORMANCE_LONG: 'env applies' }, stdin: 'stdin applies' }), what)
    const expected = `${sha256(text)}  -\nenv applies|stdin applies|${dir}\n`
    resultMatches(result, { exitCode: 0, stdout: expected, stderr: '', timedOut: false, truncated: false }, `${what} with cwd, env and stdin`)
    const aborted = await within(attempt(sandbox.exec(command, { signal: AbortSignal.abort() }), `${what} with an aborted signal`), promptMs, `${what} with an aborted signal`)
    resultMatches(aborted, { exitCode: -1, timedOut: true }, `${what} with an aborted signal`)
    const search = `find /tmp -maxdepth 2 -type f -size +200k -exec grep -lF -e ${quote(marker)} {} + 2>/dev/null; true`
    const left = (await run(sandbox, search)).stdout.split('\n').filter((path) => path !== '')
    if (left.length > 0) violation(`${what} left a copy of itself in /tmp: ${left.join(', ')}`)
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}

// ---------------------------------------------------------------------------------------------
// Timeouts and aborts

/** Waits until no process whose command line contains `marker` is left, or fails. */
async function assertProcessesGone(sandbox: Sandbox, marker: string, what: string, options: CheckOptions): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// Large output and files

/** Whether some line of `text` is a marker saying output was truncated. */
export function hasTruncationMarker(text: string): boolean {
  return text.split('\n').some((line) => /truncat/i.test(line))
}

/**
 * 20 MB of stdout with `maxOutputBytes: 1_000_000` comes back capped (about 1 MB), with
 * `truncated: true` and a marker line mentioning truncation, promptly; the command is drained,
 * not killed: its exit code and a later stderr line survive.
 */
export async function checkOutputCap(sandbox: Sandbox, options: CheckOptions & { withinMs?: number } = {}): Promise<void> {
  const total = 20_000_000
  const cap = 1_000_000
  const withinMs = options.withinMs ?? 15_000
  const command = `head -c ${total} /dev/zero | tr '\\0' a; echo tail >&2`
  const result = await within(sandbox.exec(command, { maxOutputBytes: cap, timeoutMs: 120_000 }), withinMs, `20 MB of output with maxOutputBytes ${cap}`)
  const what = `20 MB of stdout with maxOutputBytes ${cap}`
  resultMatches(result, { exitCode: 0, timedOut: false, truncated: true, stderr: 'tail\n' }, what)
  const size = Buffer.byteLength(result.stdout)
  if (size > cap + 4096) violation(`${what}: stdout holds ${size} bytes, more than the cap`)
  if (!hasTruncationMarker(result.stdout)) violation(`${what}: stdout has no line mentioning truncation (ends ${preview(result.stdout.slice(-200))})`)
  const kept = result.stdout.split('\n').filter((line) => !/truncat/i.test(line)).join('')
  if (kept.length < 1000 || /[^a]/.test(kept)) violation(`${what}: expected the kept output to be 'a's, got ${preview(kept)}`)
  const small = await sandbox.exec('printf 12345', { maxOutputBytes: cap })
  resultMatches(small, { exitCode: 0, stdout: '12345', truncated: false }, 'output under the cap')
}

/** writeFile then readFile returns the same 5 MiB of random bytes, and the command sees them too. */
export async function checkBinaryRoundTrip(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const dir = scratch(options)
  const path = `${dir}/blob.bin`
  const data = new Uint8Array(randomBytes(5 * 1024 * 1024))
  try {
    await sandbox.writeFile(path, data)
    const back = await sandbox.readFile(path)
    if (!(back instanceof Uint8Array)) violation(`readFile returned ${typeof back}, not a Uint8Array`)
    if (back.length !== data.length || !Buffer.from(back).equals(data)) {
      violation(`readFile of 5 MiB written by writeFile: ${back.length} bytes came back, sha256 ${sha256(back)} instead of ${sha256(data)}`)
    }
    resultMatches(await run(sandbox, ['sha256sum', path]), { exitCode: 0, stdout: `${sha256(data)}  ${path}\n` }, 'sha256sum of the written file')
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}

/** An empty file round-trips: writeFile makes a zero-byte file, readFile returns zero bytes. */
export async function checkEmptyFileRoundTrip(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const dir = scratch(options)
  try {
    await sandbox.writeFile(`${dir}/empty.bin`, new Uint8Array(0))
    await sandbox.writeFile(`${dir}/empty.txt`, '')
    for (const name of ['empty.bin', 'empty.txt']) {
      same((await sandbox.readFile(`${dir}/${name}`)).length, 0, `readFile of the empty file ${name}`)
      resultMatches(await run(sandbox, ['wc', '-c', `${dir}/${name}`]), { exitCode: 0, stdout: `0 ${dir}/${name}\n` }, `wc -c of the empty file ${name}`)
    }
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}

/** readFile returns, byte for byte, a file a command wrote. */
export async function checkReadFileWrittenByExec(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const dir = scratch(options)
  try {
    const made = await must(sandbox, `mkdir -p ${dir} && head -c 300000 /dev/urandom > ${dir}/random.bin && sha256sum ${dir}/random.bin`, 'writing random bytes')
    const bytes = await sandbox.readFile(`${dir}/random.bin`)
    same(bytes.length, 300_000, 'length of the file read back')
    same(`${sha256(bytes)}  ${dir}/random.bin\n`, made.stdout, 'sha256 of the file read back')
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}

/** writeFile creates missing parent directories, and writes strings as UTF-8. */
export async function checkWriteFileCreatesParents(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const dir = scratch(options)
  const path = `${dir}/a/b c/d/file.txt`
  const text = 'nested ✓ 日本\n'
  try {
    await attempt(sandbox.writeFile(path, text), `writeFile of ${path}, whose parent directories do not exist`)
    resultMatches(await run(sandbox, ['cat', path]), { exitCode: 0, stdout: text }, 'cat of a file written into new directories')
    same(Buffer.from(await sandbox.readFile(path)).equals(Buffer.from(text, 'utf8')), true, 'readFile of a string written by writeFile equals its UTF-8 bytes')
    await sandbox.writeFile(path, 'replaced\n')
    resultMatches(await run(sandbox, ['cat', path]), { exitCode: 0, stdout: 'replaced\n' }, 'cat of a file replaced by writeFile')
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}

/** readFile of a file that does not exist rejects. */
export async function checkReadMissingFileRejects(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const path = `${scratch(options)}/missing.txt`
  await rejection(() => sandbox.readFile(path), `readFile of the missing ${path}`)
  await rejection(() => sandbox.readFile(`${SANDBOX_REPO_DIR}/cooperbench-missing-${randomBytes(4).toString('hex')}.txt`), 'readFile of a missing file in the repo')
}

// ---------------------------------------------------------------------------------------------
// Isolation

/**
 * Files one sandbox writes (by writeFile and by a command) in each of `dirs` are invisible to
 * the others, and every sandbox runs commands at the same time as the others.
 */
export async function checkSandboxesIsolated(
  sandboxes: readonly Sandbox[],
  options: { dirs?: readonly string[] } = {},
): Promise<void> {
  if (sandboxes.length < 2) throw new Error('checkSandboxesIsolated needs at least two sandboxes')
  same(new Set(sandboxes.map((s) => s.id)).size, sandboxes.length, 'sandbox ids are distinct')
  const dirs = options.dirs ?? [SANDBOX_REPO_DIR, SANDBOX_PATCHES_DIR, '/tmp']
  const outputs = await Promise.all(sandboxes.map((s, index) => run(s, ['bash', '-c', `sleep 0.2; echo ${index}`])))
  same(outputs.map((r) => r.stdout), sandboxes.map((_, index) => `${index}\n`), 'the same command in every sandbox at once')
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
  await within(rejection(() => sandbox.exec('true'), 'exec after terminate'), promptMs, 'exec after terminate')
  await within(rejection(() => sandbox.exec(['true']), 'exec of argv after terminate'), promptMs, 'exec of argv after terminate')
  const path = `${scratch(options)}.after-terminate`
  await within(rejection(() => sandbox.writeFile(path, 'x'), 'writeFile after terminate'), promptMs, 'writeFile after terminate')
  await within(rejection(() => sandbox.readFile(path), 'readFile after terminate'), promptMs, 'readFile after terminate')
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
      if (!Buffer.from(body).equals(data)) violation(`2 MiB through the exposed port: ${body.length} bytes came back, sha256 ${sha256(body)} instead of ${sha256(data)}`)
    }
  } finally {
    server.abort()
    await serving.catch(() => undefined)
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}
