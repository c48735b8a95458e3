/**
 * The evaluator's fixed-here behaviours (docs/reference-compatibility.md#evaluation) on a small fixture task run by
 * the local backend: test-file filter, failing and empty patches, union fallback and its
 * failure, quote repair, hooks, a 1 MiB patch, test timeouts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExecResult, Sandbox } from '@cooperbench/core'
import { createDefaultEvaluator, UNION_FAILED_ERROR } from '@cooperbench/evaluator-default'
import { extractPatch } from '@cooperbench/core/runner'
import type { LocalBackend } from '@cooperbench/backend-local'
import {
  type FixtureSpec,
  type FixtureTask,
  coop,
  diffOf,
  evalInput,
  fixtureRunner,
  git,
  goldPatch,
  hasBwrap,
  keepingSandbox,
  makeFixtureTask,
  openBackend,
  sandboxFactory,
  solo,
  testsPatch,
  titled,
} from './support.js'

const CALC = "GREETING = 'hello'\n\n\ndef add(a, b):\n    return a + b\n"
const SUB = `${CALC}\n\ndef sub(a, b):\n    return a - b\n`
const DIV = `${CALC}\n\ndef div(a, b):\n    return a / b\n`
const HOOK = '#!/bin/sh\necho "hook $0 refuses" >&2\nexit 1\n'

const FIXTURE: FixtureSpec = {
  files: {
    'calc.py': CALC,
    // no final newline: the union step must not glue its line onto this one
    '.gitattributes': '*.py text',
    '.githooks/pre-commit': HOOK,
    '.githooks/commit-msg': HOOK,
    '.githooks/post-checkout': HOOK,
  },
  // committed after the base: its blobs exist in the sandbox, so `git apply --3way` can use them
  later: { 'calc.py': CALC.replace("'hello'", "'hi'") },
  features: [
    {
      gold: { 'calc.py': SUB },
      tests: {
        'tests/test_sub.py':
          'import unittest\nfrom calc import sub\n\n\nclass TestSub(unittest.TestCase):\n' +
          '    def test_sub(self):\n        self.assertEqual(sub(5, 3), 2)\n\n' +
          '    def test_negative(self):\n        self.assertEqual(sub(1, 3), -2)\n',
      },
    },
    {
      gold: { 'mul.py': 'def mul(a, b):\n    return a * b\n', 'calc.py': CALC.replace("'hello'", "'hello, world'") },
      tests: {
        'tests/test_mul.py':
          'import unittest\nimport calc\nfrom mul import mul\n\n\nclass TestMul(unittest.TestCase):\n' +
          '    def test_mul(self):\n        self.assertEqual(mul(2, 3), 6)\n\n' +
          "    def test_greeting(self):\n        self.assertEqual(calc.GREETING, 'hello, world')\n",
      },
    },
  ],
}

/** A patch as it looks after passing through a single-quoted shell string. */
const shellEscaped = (patch: string): string => patch.replaceAll("'", `'\\''`)

const evaluator = createDefaultEvaluator()
let backend: LocalBackend
let closeBackend: () => Promise<void>
let fx: FixtureTask
let gold1: string
let gold2: string

beforeAll(async () => {
  if (!hasBwrap) return
  ;({ backend, close: closeBackend } = await openBackend())
  fx = await makeFixtureTask(FIXTURE)
  gold1 = await goldPatch(fx.task, 1)
  gold2 = await goldPatch(fx.task, 2)
}, 180_000)

afterAll(async () => {
  await closeBackend?.()
  await fx?.cleanup()
})

/** Runs a command in a sandbox kept after evaluation; returns stdout (throws on failure unless allowed). */
async function run(sandbox: Sandbox, command: string, allowFailure = false): Promise<{ out: string; code: number }> {
  const r = await sandbox.exec(command)
  if (!allowFailure && r.exitCode !== 0) throw new Error(`${command} failed (${r.exitCode}): ${r.stdout}${r.stderr}`)
  return { out: r.stdout, code: r.exitCode }
}

describe.skipIf(!hasBwrap)(titled('evaluator on a fixture task (local backend)'), () => {
  it('the fixture gold pair merges cleanly and passes both features', async () => {
    const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(gold1, gold2)))
    expect(r.error).toBeNull()
    expect(r.merge).toMatchObject({ status: 'clean', strategy: 'naive' })
    expect(r.feature1).toMatchObject({ passed: true, tests_passed: 2, tests_failed: 0 })
    expect(r.feature2).toMatchObject({ passed: true, tests_passed: 2, tests_failed: 0 })
    expect(r.both_passed).toBe(true)
  })

  it('test-file sections of an agent patch are dropped and listed in patch_filter', async () => {
    const helper = await diffOf(fx.repo, { 'tests/helpers.py': 'X = 1\n' })
    const agent1 = gold1 + (await testsPatch(fx.task, 1)) + helper
    const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(agent1, gold2)))
    expect(r.error).toBeNull()
    expect(r.patch_filter).toEqual({ agent1: ['tests/test_sub.py', 'tests/helpers.py'], agent2: [] })
    expect(r.merge!.diff).not.toContain('tests/')
    // Unfiltered, the tests patch would collide with the agent's copy of it and fail to apply.
    expect(r.both_passed).toBe(true)
  })

  it('a patch that fails (even its 3-way apply) is `failed`; its branch stays exactly at BASE; status missing_input', async () => {
    git(fx.repo, ['checkout', '--quiet', 'main'])
    const againstLater = await diffOf(fx.repo, { 'calc.py': CALC.replace("'hello'", "'hey'") })
    git(fx.repo, ['checkout', '--quiet', '--detach', fx.baseCommit])
    const kept = keepingSandbox(sandboxFactory(backend, fx.task))
    try {
      const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(gold1, againstLater), { createSandbox: kept.createSandbox }))
      expect(kept.terminateCalls()).toBe(1)
      expect(r.error).toBeNull()
      expect(r.apply_status).toEqual({ agent1: 'applied', agent2: 'failed' })
      expect(r.merge).toMatchObject({ status: 'missing_input', strategy: 'naive' })
      expect(r.merge!.diff).not.toContain('<<<<<<<')
      expect(r.feature1.passed).toBe(true)
      expect(r.feature2.passed).toBe(false)

      const sandbox = kept.sandbox()
      // agent2 (before its merge commit) is one empty commit on BASE
      const branch = 'agent2~1'
      expect((await run(sandbox, `git log -1 --format=%s ${branch}; git rev-parse ${branch}~1 ${branch}^{tree}`)).out).toBe(
        `Agent 2 changes\n${fx.baseCommit}\n${(await run(sandbox, `git rev-parse ${fx.baseCommit}^{tree}`)).out}`,
      )
      expect((await run(sandbox, 'git log -1 --format=%s agent2')).out.trim()).toBe('Temp merge')
      // …although the 3-way apply did try. The sandbox's repository holds the base commit and its
      // ancestors only (no later history), so it finds no preimage blob and fails without markers.
      await run(sandbox, `git checkout -q -f --detach ${fx.baseCommit}`)
      const threeWay = await run(sandbox, 'git apply --3way /patches/patch2.patch; echo "exit=$?"; cat calc.py', true)
      expect(threeWay.out).not.toContain('exit=0')
      expect(threeWay.out).not.toContain('<<<<<<<')
    } finally {
      await kept.release()
    }
  })

  it('an empty or whitespace-only patch is `skipped`', async () => {
    const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(' \n\n', gold2)))
    expect(r.apply_status).toEqual({ agent1: 'skipped', agent2: 'applied' })
    expect(r.merge).toMatchObject({ status: 'clean', strategy: 'naive' })
    expect(r.feature2.passed).toBe(true)
  })

  it('two empty patches: an empty merged diff fails both features, not an error', async () => {
    const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop('', '')))
    expect(r.error).toBeNull()
    expect(r.apply_status).toEqual({ agent1: 'skipped', agent2: 'skipped' })
    expect(r.merge).toEqual({ status: 'clean', strategy: 'naive', diff: '' })
    expect(r.feature1).toMatchObject({ passed: false, exit_code: 1 })
    expect(r.feature2).toMatchObject({ passed: false, exit_code: 1 })
  })

  it('conflicting patches are merged with the union strategy; .gitattributes is left as it was', async () => {
    const agent2 = await diffOf(fx.repo, { 'calc.py': DIV })
    const kept = keepingSandbox(sandboxFactory(backend, fx.task))
    try {
      const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(gold1, agent2), { createSandbox: kept.createSandbox }))
      expect(r.error).toBeNull()
      expect(r.merge).toMatchObject({ status: 'conflicts', strategy: 'union' })
      expect(r.merge!.diff).toContain('+def sub(a, b):')
      expect(r.merge!.diff).toContain('+def div(a, b):')
      expect(r.merge!.diff).not.toContain('merge=union')
      expect(r.feature1.passed).toBe(true)
      const sandbox = kept.sandbox()
      // the union merge commit on agent2 brings only agent1's calc.py; the tree is left clean
      expect((await run(sandbox, 'git log -1 --format=%s agent2; git diff --name-only agent2~1 agent2; git status --porcelain')).out).toBe(
        'Temp union merge\ncalc.py\n',
      )
      expect((await run(sandbox, 'cat .gitattributes')).out).toBe('*.py text')
      expect((await run(sandbox, 'cat "$(git rev-parse --git-path info/attributes)" 2>/dev/null; true')).out).not.toContain('merge=union')
    } finally {
      await kept.release()
    }
  })

  it('union merge also works when a branch changes .gitattributes itself', async () => {
    const agent2 = await diffOf(fx.repo, { 'calc.py': DIV, '.gitattributes': '*.py text\n*.sh text eol=lf\n' })
    const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(gold1, agent2)))
    expect(r.error).toBeNull()
    expect(r.merge).toMatchObject({ status: 'conflicts', strategy: 'union' })
    expect(r.merge!.diff).toContain('+*.sh text eol=lf')
    expect(r.merge!.diff).not.toContain('merge=union')
  })

  it('union merge also works when the branch merged in changes .gitattributes', async () => {
    const agent1 = await diffOf(fx.repo, { 'calc.py': SUB, '.gitattributes': '*.py text\n*.md text\n' })
    const agent2 = await diffOf(fx.repo, { 'calc.py': DIV })
    const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(agent1, agent2)))
    expect(r.error).toBeNull()
    expect(r.merge).toMatchObject({ status: 'conflicts', strategy: 'union' })
    expect(r.merge!.diff).toContain('+*.md text')
    expect(r.merge!.diff).toContain('+def div(a, b):')
    expect(r.merge!.diff).not.toContain('merge=union')
  })

  it('a conflict the union strategy cannot resolve (modify/delete) is the reference error', async () => {
    const deleting = await diffOf(fx.repo, { 'calc.py': null })
    const kept = keepingSandbox(sandboxFactory(backend, fx.task))
    try {
      const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(deleting, gold1), { createSandbox: kept.createSandbox }))
      expect(r.error).toBe(UNION_FAILED_ERROR)
      expect(r.apply_status).toEqual({ agent1: 'unknown', agent2: 'unknown' })
      expect(r.merge).toEqual({ status: 'error', strategy: null, diff: '' })
      expect(r.feature1).toEqual({ feature_id: null, passed: false, exit_code: null, tests_passed: 0, tests_failed: 0, test_output: '' })
      expect((await run(kept.sandbox(), 'git status --porcelain --ignored; cat .gitattributes')).out).toBe('*.py text')
    } finally {
      await kept.release()
    }
  })

  it('a shell-escaped patch is applied through its quote repair, coop and solo', async () => {
    const escaped = shellEscaped(gold2)
    expect(escaped).not.toBe(gold2)
    const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(gold1, escaped)))
    expect(r.apply_status).toEqual({ agent1: 'applied', agent2: 'applied' })
    expect(r.merge!.diff).toContain("+GREETING = 'hello, world'")
    expect(r.both_passed).toBe(true)

    const s = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], solo(shellEscaped(gold1 + gold2))))
    expect(s.error).toBeNull()
    expect(s.both_passed).toBe(true)
  })

  it("a patch that applies as-is keeps its literal '\\'' (the repair is not applied)", async () => {
    const script = "#!/bin/sh\necho 'it'\\''s fine'\n"
    const withQuotes = await diffOf(fx.repo, { 'say.sh': script })
    const kept = keepingSandbox(sandboxFactory(backend, fx.task))
    try {
      const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(gold1 + withQuotes, gold2), { createSandbox: kept.createSandbox }))
      expect(r.apply_status).toEqual({ agent1: 'applied', agent2: 'applied' })
      expect((await run(kept.sandbox(), 'git show agent1:say.sh')).out).toBe(script)
    } finally {
      await kept.release()
    }
  })

  it("the repository's own hooks never run: a failing pre-commit hook does not leave branches empty", async () => {
    const hooked = async (): Promise<Sandbox> => {
      const sandbox = await sandboxFactory(backend, fx.task)()
      await run(sandbox, 'git config core.hooksPath .githooks && cp .githooks/* "$(git rev-parse --git-dir)/hooks/"')
      // the hooks are live: a plain commit is refused
      const probe = await run(sandbox, 'git -c user.name=x -c user.email=x@y commit --allow-empty -m probe', true)
      expect(probe.code).not.toBe(0)
      return sandbox
    }
    const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(gold1, gold2), { createSandbox: hooked }))
    expect(r.error).toBeNull()
    expect(r.apply_status).toEqual({ agent1: 'applied', agent2: 'applied' })
    expect(r.merge!.diff).toContain('+def sub(a, b):')
    expect(r.merge!.diff).toContain('mul.py')
    expect(r.both_passed).toBe(true)
  })

  it('hostile patches: a path outside the repo or through a symlink does not apply, an absolute one lands inside the repo; the host is untouched', async () => {
    const { existsSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join, relative } = await import('node:path')
    const stamp = `cb-escape-${process.pid}-${Date.now()}`
    const outside = join(tmpdir(), stamp)
    const file = (path: string) =>
      `diff --git a/${path} b/${path}\nnew file mode 100644\nindex 0000000..e69de29\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+pwned\n`
    const upward = file(relative(fx.repo, outside))
    const absolute = file(outside).replaceAll('a//', 'a/').replaceAll('b//', 'b/')
    const throughLink =
      `diff --git a/out b/out\nnew file mode 120000\nindex 0000000..1111111\n--- /dev/null\n+++ b/out\n@@ -0,0 +1 @@\n+${tmpdir()}\n\\ No newline at end of file\n` +
      file(`out/${stamp}`)
    // An absolute path in a diff is read relative to the repository: it lands inside it.
    for (const [hostile, applies] of [
      [upward, false],
      [absolute, true],
      [throughLink, false],
    ] as const) {
      const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(hostile, gold2)))
      expect(r.error, hostile).toBeNull()
      expect(r.apply_status!.agent1, hostile).toBe(applies ? 'applied' : 'failed')
      expect(r.merge!.status).toBe(applies ? 'clean' : 'missing_input')
      expect(existsSync(outside), hostile).toBe(false)
    }
  })

  it('a 1 MiB patch round-trips: the merged diff holds it byte for byte', async () => {
    const line = `${'0123456789abcdef'.repeat(4)}\n`
    const big = line.repeat(Math.ceil((1024 * 1024) / line.length))
    const agent1 = await diffOf(fx.repo, { 'calc.py': SUB, 'data/big.txt': big })
    expect(agent1.length).toBeGreaterThan(1024 * 1024)
    const kept = keepingSandbox(sandboxFactory(backend, fx.task))
    try {
      const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(agent1, ''), { createSandbox: kept.createSandbox }))
      expect(r.error).toBeNull()
      expect(r.apply_status).toEqual({ agent1: 'applied', agent2: 'skipped' })
      expect(r.merge!.diff).toBe(agent1.slice(0, 5000))
      const merged = Buffer.from(await kept.sandbox().readFile('/patches/merged.patch'))
      expect(merged.equals(Buffer.from(agent1))).toBe(true)
      expect(r.feature1.passed).toBe(true)
    } finally {
      await kept.release()
    }
  }, 120_000)
})

describe.skipIf(!hasBwrap)(titled('hostile agent output: binary, huge (local backend)'), () => {
  it('a binary file in an agent patch applies and the merged patch recreates it byte for byte', async () => {
    const { randomBytes } = await import('node:crypto')
    const { readFile, writeFile } = await import('node:fs/promises')
    const { join } = await import('node:path')
    const bytes = randomBytes(64 * 1024)
    bytes[0] = 0 // NUL: git treats the file as binary
    const agent1 = await diffOf(fx.repo, { 'calc.py': SUB, 'assets/blob.bin': bytes })
    expect(agent1).toContain('GIT binary patch')
    const kept = keepingSandbox(sandboxFactory(backend, fx.task))
    try {
      const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(agent1, gold2), { createSandbox: kept.createSandbox }))
      expect(r.error).toBeNull()
      expect(r.apply_status).toEqual({ agent1: 'applied', agent2: 'applied' })
      expect(r.both_passed).toBe(true)
      const merged = Buffer.from(await kept.sandbox().readFile('/patches/merged.patch'))
      const patchFile = join(fx.repo, '..', 'merged-binary.patch')
      await writeFile(patchFile, merged)
      git(fx.repo, ['checkout', '--quiet', '--detach', fx.baseCommit])
      try {
        git(fx.repo, ['apply', patchFile])
        expect((await readFile(join(fx.repo, 'assets/blob.bin'))).equals(bytes)).toBe(true)
      } finally {
        git(fx.repo, ['reset', '--quiet', '--hard'])
        git(fx.repo, ['clean', '-fdxq'])
        // Back where the fixture starts (detached at the base): later tests diff against HEAD.
        git(fx.repo, ['checkout', '--quiet', '--detach', fx.baseCommit])
      }
    } finally {
      await kept.release()
    }
  }, 120_000)

  it('a 50 MB patch is evaluated like any other: applied, merged, tests run', async () => {
    const line = `${'0123456789abcdef'.repeat(4)}\n`
    const big = line.repeat(Math.ceil((50 * 1024 * 1024) / line.length))
    const agent1 = await diffOf(fx.repo, { 'calc.py': SUB, 'data/big.txt': big })
    expect(agent1.length).toBeGreaterThan(50 * 1024 * 1024)
    const r = await evaluator.evaluate(evalInput(backend, fx.task, [1, 2], coop(agent1, gold2)))
    expect(r.error).toBeNull()
    expect(r.apply_status).toEqual({ agent1: 'applied', agent2: 'applied' })
    expect(r.merge!.status).toBe('clean')
    expect(r.both_passed).toBe(true)
  }, 180_000)

  it('changes over the patch size limit are refused, not read into memory: too_large with their size', async () => {
    const sandbox = await sandboxFactory(backend, fx.task)()
    try {
      await run(sandbox, 'head -c 300000 /dev/urandom | base64 > /workspace/repo/dump.txt')
      const small = await extractPatch(sandbox, fx.baseCommit, 100_000)
      expect(small.source).toBe('too_large')
      expect(small.patch).toBe('')
      expect(small.refusedBytes).toBeGreaterThan(400_000)
      const taken = await extractPatch(sandbox, fx.baseCommit)
      expect(taken.source).toBe('harness_diff')
      expect(taken.patch).toContain('+++ b/dump.txt')
    } finally {
      await sandbox.terminate()
    }
  }, 180_000)

  it("an agent's UTF-8 text and binary file come back whole from the diff command's own output (base64), no file left behind; over 1 MiB, from the file", async () => {
    const sandbox = await sandboxFactory(backend, fx.task)()
    // What git itself prints for the same changes, through a private index, as the harness diffs them.
    const gitSays = async () =>
      (
        await run(
          sandbox,
          `export GIT_INDEX_FILE=/tmp/check.index; cp .git/index $GIT_INDEX_FILE; git add -A && git diff --cached --binary --no-color --no-ext-diff ${fx.baseCommit}`,
        )
      ).out
    const leftBehind = async () => (await run(sandbox, 'test -e /tmp/cooperbench-harness.patch', true)).code === 0
    // The files the harness reads: none when the patch came back in the command's output.
    const reads: string[] = []
    const watched = new Proxy(sandbox, {
      get(target, key) {
        if (key === 'readFile') return (path: string) => (reads.push(path), target.readFile(path))
        const value = Reflect.get(target, key)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    try {
      await run(sandbox, `printf 'h\\303\\251llo w\\303\\266rld \\342\\234\\223\\n%.0s' $(seq 2000) > /workspace/repo/$'caf\\303\\251.txt'`)
      await run(sandbox, "{ printf '\\000'; head -c 8192 /dev/urandom; } > /workspace/repo/blob.bin")
      const inline = await extractPatch(watched, fx.baseCommit)
      expect(reads).toEqual([])
      expect(inline.source).toBe('harness_diff')
      expect(inline.patch).toContain('wörld ✓')
      expect(inline.patch).toContain('GIT binary patch')
      expect(inline.patch).toBe(await gitSays())
      expect(await leftBehind()).toBe(false)
      // Output cut short or rewritten on the way (a backend's cap, a terminal's CRLF): the diff is made again, never lost.
      for (const mangle of [(r: ExecResult) => ({ ...r, truncated: true }), (r: ExecResult) => ({ ...r, stdout: r.stdout.replaceAll('\n', '\r\n') })]) {
        const mangling = new Proxy(sandbox, {
          get(target, key) {
            if (key === 'exec') return async (...args: Parameters<Sandbox['exec']>) => mangle(await target.exec(...args))
            const value = Reflect.get(target, key)
            return typeof value === 'function' ? value.bind(target) : value
          },
        })
        const again = await extractPatch(mangling, fx.baseCommit)
        expect(again.source).toBe('harness_diff')
        expect(again.patch).toBe(inline.patch)
      }
      await run(sandbox, 'head -c 900000 /dev/urandom | base64 > /workspace/repo/dump.txt')
      const fromFile = await extractPatch(watched, fx.baseCommit)
      expect(reads).toEqual(['/tmp/cooperbench-harness.patch'])
      expect(fromFile.patch.length).toBeGreaterThan(1024 * 1024)
      expect(fromFile.patch).toBe(await gitSays())
      expect(await leftBehind()).toBe(false)
    } finally {
      await sandbox.terminate()
    }
  }, 180_000)
})

describe.skipIf(!hasBwrap)(titled('a test run that prints a gigabyte (local backend)'), () => {
  let chatty: FixtureTask
  beforeAll(async () => {
    // Feature 1's test run prints the gigabyte; feature 2's, run as usual beside it, is kept whole.
    const body = "if [[ \"$TEST_PATCH\" == tests1.patch ]]; then head -c 1073741824 /dev/zero | tr '\\0' '.'; echo; fi\npython3 run_tests.py"
    chatty = await makeFixtureTask({ ...FIXTURE, runner: fixtureRunner(body) })
  }, 180_000)
  afterAll(async () => {
    await chatty?.cleanup()
  })

  it("is streamed through, not stored: the verdict reads the runner's final summary, the middle is dropped with its size", async () => {
    const r = await evaluator.evaluate(evalInput(backend, chatty.task, [1, 2], coop(await goldPatch(chatty.task, 1), await goldPatch(chatty.task, 2))))
    expect(r.error).toBeNull()
    for (const f of [r.feature1, r.feature2]) {
      expect(f).toMatchObject({ passed: true, exit_code: 0, tests_failed: 0 })
      expect(f.tests_passed).toBeGreaterThan(0)
    }
    expect(r.feature1.test_output.length).toBeLessThan(2 * 1024 * 1024 + 1000)
    expect(r.feature1.test_output).toMatch(/\[\.\.\. output truncated by cooperbench: \d{10} bytes omitted \.\.\.\]/)
    expect(r.feature2.test_output).not.toContain('output truncated by cooperbench')
    expect(r.both_passed).toBe(true)
  }, 180_000)
})

describe.skipIf(!hasBwrap)(titled('evaluator test timeouts (local backend)'), () => {
  let slow: FixtureTask
  beforeAll(async () => {
    slow = await makeFixtureTask({ ...FIXTURE, runner: fixtureRunner('echo "tests started"\nsleep 60\npython3 run_tests.py') })
  }, 180_000)
  afterAll(async () => {
    await slow?.cleanup()
  })

  it('a test run over its budget is killed: exit_code -1, not passed, a final line, not an error', async () => {
    const started = Date.now()
    const r = await evaluator.evaluate(
      evalInput(backend, slow.task, [1, 2], coop(await goldPatch(slow.task, 1), await goldPatch(slow.task, 2)), { testTimeoutMs: 1500 }),
    )
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(r.error).toBeNull()
    for (const f of [r.feature1, r.feature2]) {
      expect(f).toMatchObject({ passed: false, exit_code: -1, tests_passed: 0 })
      expect(f.test_output).toContain('tests started')
      expect(f.test_output.endsWith('[cooperbench] test run killed after 1.5 s (timeout)\n')).toBe(true)
    }
    expect(r.both_passed).toBe(false)
  })
})
