/**
 * The reference-config mode against a real sandbox (the local backend): `patch.txt` read as
 * upstream 0.0.16 reads it, and command output in Python's text mode, stdout and stderr in the order written.
 */
import { SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { agentWith, bash, contents, runContext, SUBMIT, scriptedModel, fixtureSandboxes } from './fakes.js'

const sandboxes = fixtureSandboxes()

const options = {
  agent: { system_template: 'sys', instance_template: 'task: {{ task }}', step_limit: 0, cost_limit: 3 },
  model: { cost_tracking: 'ignore_errors', observation_template: '{{ output.returncode }}|{{ output.output }}|{{ output.exception_info }}' },
}

/** A file whose last line is blank, changed at its first line: the diff's last hunk ends in the context line " \n". */
const WRITE_PATCH = [
  "printf 'a\\nb\\n\\n' > notes.txt",
  'git add notes.txt',
  'git -c user.name=t -c user.email=t@example.com commit -qm notes',
  "sed -i 's/^a$/A/' notes.txt",
  'git diff > patch.txt',
  'git checkout -- notes.txt',
].join(' && ')

describe.skipIf(sandboxes.skip)("mini_swe_agent under the reference's configuration, in a real sandbox", () => {
  it('patch.txt ending in a blank context line is submitted intact: it still applies with git apply', async () => {
    const sandbox = await sandboxes.create()
    const model = scriptedModel([bash(WRITE_PATCH), bash(SUBMIT)])
    const result = await agentWith(model, options).run(runContext({ sandbox, options }))
    expect(result.status).toBe('Submitted')
    const written = await sandbox.exec(['cat', 'patch.txt'], { cwd: SANDBOX_REPO_DIR })
    expect(written.stdout.endsWith('\n b\n \n')).toBe(true)
    // Only newlines trimmed (0.0.16): the file as git wrote it; 0.0.14's whitespace strip cut the last " \n".
    expect(result.submittedPatch).toBe(written.stdout)
    const applied = await sandbox.exec(['git', 'apply', '--check', '-'], { cwd: SANDBOX_REPO_DIR, stdin: result.submittedPatch! })
    expect(applied.stderr).toBe('')
    expect(applied.exitCode).toBe(0)
  })

  it('a patch.txt written with CRLF line ends is read as Python text mode reads it: every \\r\\n becomes \\n', async () => {
    const sandbox = await sandboxes.create()
    const crlf = "printf 'diff --git a/notes.txt b/notes.txt\\r\\n--- a/notes.txt\\r\\n+++ b/notes.txt\\r\\n@@ -1 +1 @@\\r\\n-a\\r\\n+A\\r\\n' > patch.txt"
    const result = await agentWith(scriptedModel([bash(crlf), bash(SUBMIT)]), options).run(runContext({ sandbox, options }))
    const written = await sandbox.exec(['cat', 'patch.txt'], { cwd: SANDBOX_REPO_DIR })
    expect(written.stdout.split('\r\n')).toHaveLength(7)
    expect(result.submittedPatch).toBe('diff --git a/notes.txt b/notes.txt\n--- a/notes.txt\n+++ b/notes.txt\n@@ -1 +1 @@\n-a\n+A\n')
  })

  it('stdout and stderr reach the model as one stream in the order they were written', async () => {
    const sandbox = await sandboxes.create()
    const interleaved = 'for i in $(seq 1 200); do echo "out $i"; echo "err $i" >&2; done'
    const model = scriptedModel([bash(interleaved), bash(SUBMIT)])
    await agentWith(model, options).run(runContext({ sandbox, options }))
    const lines = Array.from({ length: 200 }, (_, i) => `out ${i + 1}\nerr ${i + 1}\n`).join('')
    expect(contents(model.requests[1]).at(-1)).toBe(`0|${lines}|`)
  })

  it('command output reaches the model as Python text mode reads it: \\r\\n and \\r become \\n', async () => {
    const sandbox = await sandboxes.create()
    const model = scriptedModel([bash("printf 'x\\r\\ny\\rz\\n'"), bash(SUBMIT)])
    await agentWith(model, options).run(runContext({ sandbox, options }))
    expect(contents(model.requests[1]).at(-1)).toBe('0|x\ny\nz\n|')
  })
})
