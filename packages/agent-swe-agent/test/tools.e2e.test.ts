import { MemoryBus } from '@cooperbench/builtins'
import { createChatModel, type TrajectoryMessage } from '@cooperbench/agent-mini-swe'
import { extractPatch } from '@cooperbench/core/runner'
import { type ExecOptions, NO_COORDINATION, type Sandbox } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { type ConformanceFixture, createConformanceFixture, localTestSandboxes, type ScriptedTurn, startScriptedLlmServer } from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SweAgent } from '../src/index.js'
import { quickInstallOptions, UPSTREAM_MISSING } from './support/upstream.js'

/**
 * Upstream's bundles installed in a real sandbox of the local backend and driven through tool calls
 * as a model makes them: `str_replace_editor` edits files for real (the change is in the patch the
 * harness takes and in `submit`'s model.patch), SWE-agent's session keeps `cd` and `export`,
 * `bash -n` refuses a broken command before it runs, and `send_message` goes to the bus, never to
 * the sandbox: no command the sandbox ran but the tools' installation names it.
 */
const sandboxes = localTestSandboxes()
let fixture: ConformanceFixture
beforeAll(async () => {
  fixture = await createConformanceFixture()
})
afterAll(async () => {
  await sandboxes.close()
  await fixture?.cleanup()
})

const call = (name: string, args: Record<string, unknown>): ScriptedTurn => ({ toolCalls: [{ name, arguments: args }] })

/** The sandbox, every command it is given recorded (its argv and its stdin). */
function recorded(sandbox: Sandbox): Sandbox & { given: string[] } {
  const given: string[] = []
  return Object.assign(Object.create(sandbox) as Sandbox, {
    given,
    exec(command: string | string[], options: ExecOptions = {}) {
      given.push([command, options.stdin ?? ''].flat().join(' '))
      return sandbox.exec(command, options)
    },
  })
}

describe.skipIf(UPSTREAM_MISSING || sandboxes.skip)("upstream's bundles in a sandbox", () => {
  it('edits with str_replace_editor, keeps the session, refuses bad syntax, messages through the bus and submits model.patch', {
    timeout: 120_000,
  }, async () => {
    const edit = {
      command: 'str_replace',
      path: '/workspace/repo/calc.py',
      old_str: '    return a + b\n',
      new_str: '    return a + b\n\n\ndef sub(a, b):\n    return a - b\n',
    }
    const server = await startScriptedLlmServer({
      script: [
        call('str_replace_editor', { command: 'view', path: '/workspace/repo/calc.py' }),
        call('str_replace_editor', edit),
        call('str_replace_editor', { command: 'create', path: '/workspace/repo/NOTES.md', file_text: 'it\'s "quoted"\n' }),
        call('bash', { command: 'if then fi' }),
        call('bash', { command: 'cd tests && export MARK=kept' }),
        call('bash', { command: 'pwd; echo $MARK' }),
        call('send_message', { recipient: 'agent2', message: 'calc.py gets sub(); "NOTES.md" too' }),
        call('submit', {}),
        call('submit', {}),
      ],
    })
    const bus = new MemoryBus()
    const teammate = await bus.open('run:tools', 'agent2', ['agent1'])
    const sandbox = recorded(await sandboxes.create(fixture.task))
    try {
      const agent = new SweAgent({ createModel: (o) => createChatModel({ ...o, maxRetries: 0, env: { OPENAI_API_KEY: 'dummy' } }) })
      const result = await agent.run({
        agentId: 'agent1',
        featureIds: [1],
        instructions: 'Add `sub(a, b)` to calc.py.',
        task: fixture.task,
        sandbox,
        peers: ['agent2'],
        mailbox: await bus.open('run:tools', 'agent1', ['agent2']),
        git: null,
        coordination: NO_COORDINATION,
        model: 'openai/scripted-model',
        modelBaseUrl: server.url,
        // Upstream's coop.yaml with PIP_NO_INDEX=1: its editor bundle's `pip install` (whose failure
        // upstream ignores) fails at once, not after a quarter minute of retries offline.
        options: quickInstallOptions('coop'),
        limits: { steps: 0, costUsd: 0, wallClockSeconds: null },
        recorder: { async save() {} },
        logger: silentLogger,
        signal: new AbortController().signal,
      })
      const seen = server.chatRequests().map((r) => r.body.messages.at(-1)?.content as string)
      expect(result.status, result.error ?? '').toBe('Submitted')
      expect(seen[1]).toMatch(/^OBSERVATION:\nHere's the result of running `cat -n` on \/workspace\/repo\/calc\.py:\n {5}1\tdef add\(a, b\):/)
      expect(seen[2]).toMatch(/^OBSERVATION:\nThe file \/workspace\/repo\/calc\.py has been edited\./)
      expect(seen[4]).toMatch(/^Your bash command contained syntax errors and was NOT executed\.[\s\S]*syntax error/)
      expect(seen[6]).toBe('OBSERVATION:\n/workspace/repo/tests\nkept\n')
      expect(seen[7]).toBe('OBSERVATION:\nMessage sent to agent2')
      expect(seen[8]).toMatch(/^OBSERVATION:\nThank you for your work on this issue\.[\s\S]*<diff>\ndiff --git a\/NOTES\.md/)
      expect((await teammate.receive()).map((m) => m.content)).toEqual(['calc.py gets sub(); "NOTES.md" too'])
      // The change is in the file, in the harness's patch, and in the submission (model.patch).
      expect(Buffer.from(await sandbox.readFile('/workspace/repo/calc.py')).toString()).toContain('def sub(a, b):\n    return a - b\n')
      const { patch } = await extractPatch(sandbox, fixture.baseCommit)
      const submission = String((result.messages.at(-1) as TrajectoryMessage).extra.submission)
      for (const text of [patch, submission]) {
        expect(text).toContain('+def sub(a, b):')
        expect(text).toContain('+it\'s "quoted"')
      }
      expect(sandbox.given.filter((command) => command.includes('send_message'))).toEqual([expect.stringContaining('command -v send_message')])
    } finally {
      await server.close()
      await sandbox.terminate()
    }
  })
})
