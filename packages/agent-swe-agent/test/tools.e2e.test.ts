import { MemoryBus } from '@cooperbench/builtins'
import { createChatModel, type TrajectoryMessage } from '@cooperbench/agent-mini-swe'
import { extractPatch } from '@cooperbench/core/runner'
import { type AgentResult, type ExecOptions, type Logger, NO_COORDINATION, type Sandbox } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { type ConformanceFixture, createConformanceFixture, localTestSandboxes, type ScriptedTurn, startScriptedLlmServer } from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SweAgent } from '../src/index.js'
import { UPSTREAM_MISSING, upstreamOptions } from './support/upstream.js'

/**
 * Upstream's bundles installed in a real sandbox of the local backend and driven through tool calls
 * as a model makes them: `str_replace_editor` edits files for real (the change is in the patch the
 * harness takes and in `submit`'s model.patch), SWE-agent's session keeps `cd` and `export`,
 * `bash -n` refuses a broken command before it runs, and `send_message` goes to the bus, never to
 * the sandbox: no command the sandbox ran but the tools' installation names it.
 */
const sandboxes = localTestSandboxes()
const onHostNetwork = localTestSandboxes({ network: true })
let fixture: ConformanceFixture
beforeAll(async () => {
  fixture = await createConformanceFixture()
})
afterAll(async () => {
  await sandboxes.close()
  await onHostNetwork.close()
  await fixture?.cleanup()
})

const call = (name: string, args: Record<string, unknown>): ScriptedTurn => ({ toolCalls: [{ name, arguments: args }] })

/** agent1 of a coop pair with agent2, on the scripted model at `url`, with these options. */
async function runAgent(
  sandbox: Sandbox,
  url: string,
  options: Record<string, unknown>,
  more: { bus?: MemoryBus; logger?: Logger } = {},
): Promise<AgentResult> {
  const agent = new SweAgent({ createModel: (o) => createChatModel({ ...o, maxRetries: 0, env: { OPENAI_API_KEY: 'dummy' } }) })
  return agent.run({
    agentId: 'agent1',
    featureIds: [1],
    instructions: 'Add `sub(a, b)` to calc.py.',
    task: fixture.task,
    sandbox,
    peers: ['agent2'],
    mailbox: await (more.bus ?? new MemoryBus()).open('run:tools', 'agent1', ['agent2']),
    git: null,
    coordination: NO_COORDINATION,
    model: 'openai/scripted-model',
    modelBaseUrl: url,
    options,
    limits: { steps: 0, costUsd: 0, wallClockSeconds: null },
    recorder: { async save() {} },
    logger: more.logger ?? silentLogger,
    signal: new AbortController().signal,
  })
}

/** A message's text: SWE-agent's cache_control processor makes the last messages' content a list of one text part. */
const textOf = (content: string | Array<{ text?: string }> | null | undefined) =>
  typeof content === 'string' ? content : (content ?? []).map((part) => part.text ?? '').join('')

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
      // Upstream's coop.yaml as it is: its editor bundle's `pip install` fails here (no network), at once.
      const result = await runAgent(sandbox, server.url, upstreamOptions('coop'), { bus })
      const seen = server.chatRequests().map((r) => textOf(r.body.messages.at(-1)?.content))
      expect(result.status, result.error ?? '').toBe('Submitted')
      expect(seen[1]).toMatch(/^OBSERVATION:\nHere's the result of running `cat -n` on \/workspace\/repo\/calc\.py:\n {5}1\tdef add\(a, b\):/)
      expect(seen[2]).toMatch(/^OBSERVATION:\nThe file \/workspace\/repo\/calc\.py has been edited\./)
      expect(seen[4]).toMatch(/^Your bash command contained syntax errors and was NOT executed\.[\s\S]*syntax error/)
      expect(seen[6]).toBe('OBSERVATION:\n/workspace/repo/tests\nkept\n')
      // Upstream's adapter cuts the message at its first inner double quote and runs what is left in bash.
      expect(seen[7]).toBe("OBSERVATION:\nMessage sent to agent2\nbash: NOTES.md too': command not found\n")
      expect(seen[8]).toMatch(/^OBSERVATION:\nThank you for your work on this issue\.[\s\S]*<diff>\ndiff --git a\/NOTES\.md/)
      expect((await teammate.receive()).map((m) => m.content)).toEqual(["'calc.py gets sub(); "])
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

  it("installs without pip's retries where no package index answers, says so, and leaves the agent's environment as upstream's", {
    timeout: 120_000,
  }, async () => {
    const script = [call('bash', { command: 'echo "retries=${PIP_RETRIES-unset}"' }), call('submit', {}), call('submit', {})]
    const server = await startScriptedLlmServer({ script })
    const sandbox = recorded(await sandboxes.create(fixture.task))
    const logged: string[] = []
    try {
      const started = Date.now() / 1000
      const result = await runAgent(sandbox, server.url, upstreamOptions('coop'), { logger: { ...silentLogger, info: (line) => logged.push(line) } })
      expect(result.status, result.error ?? '').toBe('Submitted')
      const [system] = result.messages as TrajectoryMessage[]
      // pip's back-off alone is 15 s for edit_anthropic's two packages (0.5 + 1 + 2 + 4 s each, 7.5 s each).
      expect(system!.extra.timestamp - started).toBeLessThan(14)
      expect(system!.extra['setup_note']).toMatch(/^the sandbox reaches no package index .*PIP_RETRIES=0/)
      expect(logged).toEqual([`swe_agent: ${system!.extra['setup_note']}`])
      expect(sandbox.given.some((command) => command.includes('export PIP_RETRIES=0') && command.includes('source install.sh'))).toBe(true)
      // The model saw what it would have with pip's retries: the session as it was, PIP_RETRIES not set.
      expect(textOf(server.chatRequests()[1]!.body.messages.at(-1)?.content)).toBe('OBSERVATION:\nretries=unset\n')
      expect(system!.content).not.toContain('package index')
    } finally {
      await server.close()
      await sandbox.terminate()
    }
  })

  it('installs as upstream does where the package index answers: pip keeps its retries, nothing is said', { timeout: 120_000 }, async () => {
    const server = await startScriptedLlmServer({ script: [call('submit', {}), call('submit', {})] })
    // The index: any server that accepts a connection (here the model's, on this machine's network).
    const index = `${new URL(server.url).origin}/simple`
    const options = upstreamOptions('coop')
    const tools = (options['agent'] as { tools: { env_variables: Record<string, string> } }).tools
    tools.env_variables = { ...tools.env_variables, PIP_INDEX_URL: index }
    const sandbox = recorded(await onHostNetwork.create(fixture.task))
    const logged: string[] = []
    try {
      const result = await runAgent(sandbox, server.url, options, { logger: { ...silentLogger, info: (line) => logged.push(line) } })
      expect(result.status, result.error ?? '').toBe('Submitted')
      expect((result.messages as TrajectoryMessage[])[0]!.extra['setup_note']).toBeUndefined()
      expect(logged).toEqual([])
      expect(sandbox.given.filter((command) => command.includes('PIP_RETRIES'))).toEqual([])
      // pip asked that index, as the tools' environment said.
      expect(server.requests.some((request) => request.path.startsWith('/simple/tree-sitter'))).toBe(true)
    } finally {
      await server.close()
      await sandbox.terminate()
    }
  })
})
