import { localTestSandboxes } from '@cooperbench/testkit'
import type { Sandbox } from '@cooperbench/spec'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { applyDiff, normalizeDiff } from '../src/diff.js'
import { createGreetingsTask, type GreetingsTask } from './support/greetings-task.js'

const sandboxes = localTestSandboxes()
const suite = sandboxes.skip ? describe.skip : describe
const never = new AbortController().signal

suite(`applyDiff in a real sandbox${sandboxes.skip ? ` (skipped: ${sandboxes.skip})` : ''}`, () => {
  let fixture: GreetingsTask
  let sandbox: Sandbox | undefined
  beforeAll(async () => {
    fixture = await createGreetingsTask()
  })
  afterAll(async () => {
    await sandboxes.close()
    await fixture?.cleanup()
  })
  afterEach(async () => {
    await sandbox?.terminate()
    sandbox = undefined
  })
  const open = async () => (sandbox = await sandboxes.create(fixture.task))
  const status = async (s: Sandbox) => (await s.exec(['git', 'status', '--porcelain', '--untracked-files=all'])).stdout
  const read = async (s: Sandbox, path: string) => new TextDecoder().decode(await s.readFile(`/workspace/repo/${path}`))

  it('applies a diff whose hunk line counts are wrong, with git apply --recount', async () => {
    const s = await open()
    const diff = normalizeDiff(
      [
        '--- a/greet.py',
        '+++ b/greet.py',
        '@@ -1,7 +1,9 @@',
        ' def hello(name):',
        '     return f"Hello, {name}!"',
        '+',
        '+',
        '+def goodbye(name):',
        '+    return "bye"',
      ].join('\n'),
    )
    const outcome = await applyDiff(s, diff, '/tmp/a.diff', never)
    expect(outcome).toMatchObject({ applied: true, strategy: 'git apply --recount' })
    expect(await read(s, 'greet.py')).toContain('def goodbye(name):\n    return "bye"\n')
    expect(await status(s)).toBe(' M greet.py\n')
  })

  it('falls back to patch -p1 when a context line is off (fuzz)', async () => {
    const s = await open()
    const diff = normalizeDiff(
      [
        '--- a/util/strings.py',
        '+++ b/util/strings.py',
        '@@ -1,2 +1,5 @@',
        ' def shout(txt):',
        '     return text.upper()',
        '+',
        '+def whisper(text):',
        '+    return text.lower()',
      ].join('\n'),
    )
    const outcome = await applyDiff(s, diff, '/tmp/b.diff', never)
    expect(outcome).toMatchObject({ applied: true, strategy: 'patch -p1' })
    expect(await read(s, 'util/strings.py')).toContain('def whisper(text):')
    expect(await status(s)).toBe(' M util/strings.py\n')
  })

  it('changes nothing and reports what git apply and patch said when the diff does not apply', async () => {
    const s = await open()
    const diff = normalizeDiff(['--- a/greeting.py', '+++ b/greeting.py', '@@ -1,2 +1,3 @@', ' def hello(name):', '     return name', '+x = 1'].join('\n'))
    const outcome = await applyDiff(s, diff, '/tmp/c.diff', never)
    expect(outcome.applied).toBe(false)
    if (outcome.applied) return
    expect(outcome.error).toMatch(/^git apply: error: greeting\.py: No such file or directory/)
    expect(outcome.error).toMatch(/\npatch -p1: .*greeting\.py/s)
    expect(await status(s)).toBe('')
  })
})
