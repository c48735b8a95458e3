import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { EvalInput } from '@cooperbench/spec'
import type { Sandbox } from '@cooperbench/spec'
import type { Task } from '@cooperbench/spec'
import { UNION_FAILED_ERROR, createDefaultEvaluator } from '../../src/evaluator/default-evaluator.js'
import { BASE_COMMIT_ERROR } from '../../src/evaluator/setup-report.js'
import { BASE, FakeSandbox, PASSING_RUN, coopSetupOutput, type ExecHandler } from './fake-sandbox.js'

const TESTS_1 = 'diff --git a/tests/test_a.py b/tests/test_a.py\n--- a/tests/test_a.py\n+++ b/tests/test_a.py\n@@ -1 +1,2 @@\n a\n+b'
const TESTS_2 = 'diff --git a/tests/test_b.py b/tests/test_b.py\nnew file mode 100644\n--- /dev/null\n+++ b/tests/test_b.py\n@@ -0,0 +1 @@\n+x\n'
const AGENT = 'diff --git a/src/a.py b/src/a.py\n--- a/src/a.py\n+++ b/src/a.py\n@@ -1 +1,2 @@\n a\n+b\n'

const tempDirs: string[] = []
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

function makeTask(opts: { withTests2?: boolean; baseCommit?: string | null } = {}): Task {
  const dir = mkdtempSync(join(tmpdir(), 'cb-eval-unit-'))
  tempDirs.push(dir)
  for (const [id, text] of [
    [1, TESTS_1],
    [2, TESTS_2],
  ] as const) {
    mkdirSync(join(dir, `feature${id}`))
    if (id === 1 || opts.withTests2 !== false) writeFileSync(join(dir, `feature${id}`, 'tests.patch'), text)
  }
  return {
    repo: 'demo_task',
    taskId: 7,
    dir,
    features: [1, 2].map((id) => ({ id, dir: join(dir, `feature${id}`) })),
    source: { url: null, bundlePath: null, baseCommit: opts.baseCommit === undefined ? BASE : opts.baseCommit },
    manifest: null,
  }
}

/** A handler answering the setup with `setup(sandbox)` and every test run with `test`. */
function handler(setup: (s: FakeSandbox) => string, test: ExecHandler = () => ({ stdout: PASSING_RUN })): ExecHandler {
  return (script, sandbox, options) => (script.includes('/usr/local/bin/runner.sh') ? test(script, sandbox, options) : { stdout: setup(sandbox) })
}

function coopInput(task: Task, sandbox: FakeSandbox | (() => Promise<Sandbox>), over: Partial<EvalInput> = {}): EvalInput {
  return {
    task,
    features: [2, 1],
    setting: 'coop',
    patches: { rule: 'merge', agents: [AGENT, ''] },
    createSandbox: typeof sandbox === 'function' ? sandbox : async () => sandbox,
    testTimeoutMs: 5_000,
    ...over,
  }
}

const evaluator = createDefaultEvaluator()

describe('default evaluator: identity', () => {
  it('is the evaluator-v1 `default`', () => {
    expect(evaluator.name).toBe('default')
    expect(evaluator.specificationVersion).toBe('evaluator-v1')
  })
})

describe('default evaluator: orchestration', () => {
  it('a clean coop pair: files written byte-exact, three commands, verdict from the test runs', async () => {
    const sandbox = new FakeSandbox(handler((s) => coopSetupOutput(s)))
    const task = makeTask()
    const r = await evaluator.evaluate(coopInput(task, sandbox))
    expect(r.error).toBeNull()
    expect(r.features).toEqual([1, 2])
    expect(r.feature1.feature_id).toBe(1)
    expect(r.apply_status).toEqual({ agent1: 'applied', agent2: 'applied' })
    expect(r.merge).toEqual({ status: 'clean', strategy: 'naive', diff: 'diff --git a/x b/x\n' })
    expect([r.feature1.passed, r.feature1.exit_code, r.feature1.tests_passed]).toEqual([true, 0, 2])
    expect(r.both_passed).toBe(true)
    expect(r.base_commit).toBe(BASE)
    expect(Object.keys(r.timings!)).toEqual(['prepare', 'sandbox', 'write', 'setup', 'feature1', 'feature2', 'tests', 'remove', 'total'])
    expect(r.evaluated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/)
    expect(sandbox.scripts).toHaveLength(3)
    expect(sandbox.scripts[1]).toContain("runner.sh 'tests1.patch' 'merged.patch'")
    expect(sandbox.scripts[2]).toContain("runner.sh 'tests2.patch' 'merged.patch'")
    expect([...sandbox.files.keys()].sort()).toEqual(['/patches/patch1.patch', '/patches/patch2.patch', '/patches/tests1.patch', '/patches/tests2.patch'])
    // tests.patch bytes unchanged (TESTS_1 has no final newline), the empty agent patch an empty file
    expect(new TextDecoder().decode(sandbox.files.get('/patches/tests1.patch'))).toBe(TESTS_1)
    expect(sandbox.files.get('/patches/patch2.patch')!.byteLength).toBe(0)
    expect(sandbox.terminated).toBe(1)
  })

  it('a missing tests.patch is an error before any sandbox starts', async () => {
    let created = 0
    const task = makeTask({ withTests2: false })
    const r = await evaluator.evaluate(
      coopInput(task, async () => {
        created++
        return new FakeSandbox(() => ({}))
      }),
    )
    expect(r.error).toBe(`Tests patch not found: ${join(task.dir, 'feature2', 'tests.patch')}`)
    expect(created).toBe(0)
    expect(r.merge).toEqual({ status: 'error', strategy: null, diff: '' })
  })

  it('a sandbox that cannot be created gives an error-shaped record with its message', async () => {
    const r = await evaluator.evaluate(
      coopInput(makeTask(), async () => {
        throw new Error('image pull failed')
      }),
    )
    expect(r.error).toBe('image pull failed')
    expect(r.apply_status).toEqual({ agent1: 'unknown', agent2: 'unknown' })
  })

  it('an exec that throws: error record, sandbox terminated', async () => {
    const sandbox = new FakeSandbox(() => {
      throw new Error('connection reset')
    })
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.error).toBe('connection reset')
    expect(sandbox.terminated).toBe(1)
  })

  it('a failing write is `Failed to write <file>: …`', async () => {
    const sandbox = new FakeSandbox(() => ({}))
    sandbox.writeFile = async (path) => {
      if (path.endsWith('tests2.patch')) throw new Error('disk full')
    }
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.error).toBe('Failed to write tests2.patch: disk full')
    expect(sandbox.terminated).toBe(1)
  })

  it('a sandbox that offers writeFiles gets the patches in one call, and its failure names every file', async () => {
    const sandbox = new FakeSandbox(handler((s) => coopSetupOutput(s)))
    const batches: string[][] = []
    sandbox.writeFiles = async (files) => {
      batches.push([...files.keys()])
      for (const [path, data] of files) await sandbox.writeFile(path, data)
    }
    const written: string[] = []
    const writeOne = sandbox.writeFile.bind(sandbox)
    sandbox.writeFile = async (path, data) => {
      written.push(path)
      await writeOne(path, data)
    }
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.error).toBeNull()
    expect(batches).toEqual([['/patches/patch1.patch', '/patches/patch2.patch', '/patches/tests1.patch', '/patches/tests2.patch']])
    expect(written.sort()).toEqual(batches[0]!.slice().sort())

    const failing = new FakeSandbox(() => ({}))
    failing.writeFiles = async () => {
      throw new Error('disk full')
    }
    const f = await evaluator.evaluate(coopInput(makeTask(), failing))
    expect(f.error).toBe('Failed to write patch1.patch, patch2.patch, tests1.patch, tests2.patch: disk full')
    expect(failing.terminated).toBe(1)
  })

  it('a file that arrives different is caught by the verification', async () => {
    const sandbox = new FakeSandbox(handler((s) => coopSetupOutput(s).replace(/file=patch1\.patch \d+/, 'file=patch1.patch 1')))
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.error).toMatch(/^Failed to write patch1\.patch: the sandbox has 1 bytes/)
  })

  it('no base commit: `Failed to get base commit SHA`', async () => {
    const sandbox = new FakeSandbox(handler((s) => `${s.fileMarkers()}fatal: not a git repository\n::cb:: failed=base\n`))
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.error).toBe(BASE_COMMIT_ERROR)
  })

  it('a repository at another commit than the task names is an error naming both', async () => {
    const other = '2'.repeat(40)
    const sandbox = new FakeSandbox(handler((s) => coopSetupOutput(s, { base: other })))
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.error).toContain(other)
    expect(r.error).toContain(BASE)
    expect(r.base_commit).toBe(other)
    expect(sandbox.scripts).toHaveLength(1)
  })

  it('a setup that stops early: `Branch setup failed: <output>` without marker lines', async () => {
    const sandbox = new FakeSandbox(handler((s) => `${s.fileMarkers()}::cb:: base=${BASE}\nerror: could not lock\n::cb:: failed=commit agent1\n`))
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.error).toBe('Branch setup failed: error: could not lock')
  })

  it('union merge still conflicting: the reference error text', async () => {
    const sandbox = new FakeSandbox(
      handler((s) => coopSetupOutput(s, { naive: 'conflicts', union: 'conflicts', strategy: undefined, merged_size: undefined, merged_head_b64: undefined })),
    )
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.error).toBe(UNION_FAILED_ERROR)
    expect(r.merge).toEqual({ status: 'error', strategy: null, diff: '' })
  })

  it('merge status: missing_input wins over conflicts; the union strategy is reported', async () => {
    const sandbox = new FakeSandbox(handler((s) => coopSetupOutput(s, { 'apply.agent2': 'failed', naive: 'conflicts', union: 'clean', strategy: 'union' })))
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.apply_status).toEqual({ agent1: 'applied', agent2: 'failed' })
    expect(r.merge).toMatchObject({ status: 'missing_input', strategy: 'union' })
  })

  it('without the base64 head the merged diff is read from the sandbox', async () => {
    const diff = `${'y'.repeat(6000)}\n`
    const sandbox = new FakeSandbox(
      handler((s) => {
        s.files.set('/patches/merged.patch', new TextEncoder().encode(diff))
        return coopSetupOutput(s, { merged_head_b64: undefined, merged_size: String(diff.length) }).replace(/::cb:: file=merged\.patch.*\n/, '')
      }),
    )
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.error).toBeNull()
    expect(r.merge!.diff).toBe('y'.repeat(5000))
  })

  it('an empty merged diff fails both features without running the tests', async () => {
    const sandbox = new FakeSandbox(handler((s) => coopSetupOutput(s, { merged_size: '0', merged_head_b64: '' })))
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.error).toBeNull()
    expect(sandbox.scripts).toHaveLength(1)
    for (const f of [r.feature1, r.feature2]) {
      expect(f.passed).toBe(false)
      expect(f.exit_code).toBe(1)
      expect(f.test_output).toContain('merged.patch is empty')
    }
  })

  it('a test run killed by its timeout: exit -1, failed, a final line saying so; not an error', async () => {
    const sandbox = new FakeSandbox(
      handler(
        (s) => coopSetupOutput(s),
        (_script, _s, options) => {
          expect(options.timeoutMs).toBe(2_500)
          return { stdout: '===== 3 passed in 0.01s =====\npartial', exitCode: -1, timedOut: true }
        },
      ),
    )
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox, { testTimeoutMs: 2_500 }))
    expect(r.error).toBeNull()
    expect(r.feature1).toMatchObject({ passed: false, exit_code: -1, tests_passed: 3 })
    expect(r.feature1.test_output.endsWith('partial\n[cooperbench] test run killed after 2.5 s (timeout)\n')).toBe(true)
  })

  it('exit 0 with no recognised test summary is not a pass', async () => {
    const sandbox = new FakeSandbox(
      handler(
        (s) => coopSetupOutput(s),
        () => ({ stdout: 'all good\n' }),
      ),
    )
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox))
    expect(r.feature1).toMatchObject({ passed: false, exit_code: 0, tests_passed: 0 })
  })

  it('solo: setup then both features against solo.patch; merge null', async () => {
    const sandbox = new FakeSandbox(handler((s) => `${s.fileMarkers()}::cb:: base=${BASE}\n::cb:: variant.solo=as-is\n::cb:: setup=done\n`))
    const r = await evaluator.evaluate(coopInput(makeTask(), sandbox, { setting: 'solo', patches: { rule: 'single', patch: AGENT + TESTS_2 } }))
    expect(r.error).toBeNull()
    expect(r.merge).toBeNull()
    expect(r.apply_status).toBeUndefined()
    expect(r.patch_filter).toEqual({ solo: ['tests/test_b.py'] })
    expect(sandbox.scripts[1]).toContain("runner.sh 'tests1.patch' 'solo.patch'")
    expect(new TextDecoder().decode(sandbox.files.get('/patches/solo.patch'))).toBe(AGENT)
    expect(r.both_passed).toBe(true)
  })
})

describe('default evaluator: interruption', () => {
  it('an already aborted signal rejects with an AbortError and starts nothing', async () => {
    let created = 0
    const input = coopInput(makeTask(), async () => {
      created++
      return new FakeSandbox(() => ({}))
    })
    await expect(evaluator.evaluate(input, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' })
    expect(created).toBe(0)
  })

  it('aborting during a test run rejects (no record) and terminates the sandbox', async () => {
    const controller = new AbortController()
    const sandbox = new FakeSandbox(
      handler(
        (s) => coopSetupOutput(s),
        (_script, _s, options) => {
          expect(options.signal).toBe(controller.signal)
          controller.abort()
          return { exitCode: -1, timedOut: true }
        },
      ),
    )
    await expect(evaluator.evaluate(coopInput(makeTask(), sandbox), controller.signal)).rejects.toMatchObject({ name: 'AbortError' })
    expect(sandbox.terminated).toBe(1)
  })

  it('aborting while the sandbox is being created terminates it once it exists', async () => {
    const controller = new AbortController()
    const sandbox = new FakeSandbox(() => ({}))
    const input = coopInput(makeTask(), async () => {
      controller.abort(new Error('user pressed Ctrl+C'))
      return sandbox
    })
    const rejection = await evaluator.evaluate(input, controller.signal).catch((e: unknown) => e)
    expect(rejection).toMatchObject({ name: 'AbortError' })
    expect((rejection as Error).cause).toMatchObject({ message: 'user pressed Ctrl+C' })
    expect(sandbox.terminated).toBe(1)
    expect(sandbox.scripts).toHaveLength(0)
  })
})
