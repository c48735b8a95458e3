import { randomBytes } from 'node:crypto'
import { SANDBOX_PATCHES_DIR, SANDBOX_REPO_DIR, SANDBOX_RUNNER_PATH, type Sandbox } from '@cooperbench/core'
import { parseTestOutput } from '@cooperbench/evaluator-default'
import type { ConformanceFixture } from './fixture.js'
import {
  type CheckOptions,
  DEFAULT_PROMPT_MS,
  scratch,
  quote,
  preview,
  violation,
  same,
  resultMatches,
  within,
  attempt,
  run,
  must,
  sha256,
} from './check-support.js'

// The sandbox's paths

/** `/workspace/repo` is a clean checkout of the task's base commit. */
export async function checkRepoAtBaseCommit(sandbox: Sandbox, baseCommit: string): Promise<void> {
  const head = await run(sandbox, ['git', 'rev-parse', 'HEAD'], { cwd: SANDBOX_REPO_DIR })
  resultMatches(head, { exitCode: 0, stdout: `${baseCommit}\n` }, `git rev-parse HEAD in ${SANDBOX_REPO_DIR}`)
  const status = await run(sandbox, ['git', 'status', '--porcelain'], { cwd: SANDBOX_REPO_DIR })
  resultMatches(status, { exitCode: 0, stdout: '' }, `git status --porcelain in ${SANDBOX_REPO_DIR} (a clean work tree)`)
}

/** Commands and writeFile can create, read and delete files in `dirs` (default: the repo, `/patches`, `/tmp`). */
export async function checkWritableDirectories(sandbox: Sandbox, dirs: readonly string[] = [SANDBOX_REPO_DIR, SANDBOX_PATCHES_DIR, '/tmp']): Promise<void> {
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
 * For a backend with mapped paths (`capabilities.paths: 'mapped'`): in each of `dirs`, named by
 * the contract's paths, a file `writeFile` wrote is what a command run there (`cwd`) reads, and
 * a file a command writes there is what `readFile` returns.
 */
export async function checkMappedDirectories(sandbox: Sandbox, dirs: readonly string[] = [SANDBOX_REPO_DIR, SANDBOX_PATCHES_DIR, '/tmp']): Promise<void> {
  const name = `cooperbench-mapped-${randomBytes(4).toString('hex')}`
  for (const dir of dirs) {
    await sandbox.writeFile(`${dir}/${name}`, 'via writeFile\n')
    resultMatches(await run(sandbox, ['cat', name], { cwd: dir }), { exitCode: 0, stdout: 'via writeFile\n' }, `cat ${name} in ${dir} after writeFile`)
    const written = await run(sandbox, `echo written > ${name}.exec && cat ${name}.exec`, { cwd: dir })
    resultMatches(written, { exitCode: 0, stdout: 'written\n' }, `writing ${name}.exec in ${dir} from a command`)
    same(Buffer.from(await sandbox.readFile(`${dir}/${name}.exec`)).toString('utf8'), 'written\n', `readFile of ${dir}/${name}.exec`)
    resultMatches(await run(sandbox, ['rm', name, `${name}.exec`], { cwd: dir }), { exitCode: 0 }, `removing ${name} in ${dir}`)
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

/**
 * Without `cwd` commands run in `/workspace/repo`: `repo` is where commands see it, the path
 * itself unless the backend maps it to a host folder.
 */
export async function checkDefaultCwd(sandbox: Sandbox, repo: string = SANDBOX_REPO_DIR): Promise<void> {
  resultMatches(await run(sandbox, 'pwd'), { exitCode: 0, stdout: `${repo}\n` }, '`pwd` without cwd')
  resultMatches(await run(sandbox, ['pwd']), { exitCode: 0, stdout: `${repo}\n` }, "['pwd'] without cwd")
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
    violation(
      `${what}: ${many.stdout.length} chars came back instead of ${expected.length}, first wrong one at ${bad} (${preview(many.stdout.slice(Math.max(0, bad - 2), bad + 3))})`,
    )
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
    const aborted = await within(
      attempt(sandbox.exec(command, { signal: AbortSignal.abort() }), `${what} with an aborted signal`),
      promptMs,
      `${what} with an aborted signal`,
    )
    resultMatches(aborted, { exitCode: -1, timedOut: true }, `${what} with an aborted signal`)
    const search = `find /tmp -maxdepth 2 -type f -size +200k -exec grep -lF -e ${quote(marker)} {} + 2>/dev/null; true`
    const left = (await run(sandbox, search)).stdout.split('\n').filter((path) => path !== '')
    if (left.length > 0) violation(`${what} left a copy of itself in /tmp: ${left.join(', ')}`)
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}
