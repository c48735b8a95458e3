import { type AgentResult, type AgentRunContext, type Mailbox, NO_COORDINATION } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { MemoryBus } from '@cooperbench/builtins'
import { extractPatch } from '@cooperbench/core/runner'
import { localTestSandboxes, recordingRecorder, type RecordingRecorder } from '@cooperbench/testkit'
import { type ChatCompletionRequestBody, type LlmScript, type RecordedRequest, startScriptedLlmServer, textTurn } from '@cooperbench/testkit/llm-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOneshotAgent, oneshotOwnLimits, type OneshotTrajectoryMessage } from '../src/index.js'
import { createGreetingsTask, type GreetingsTask } from './support/greetings-task.js'

const sandboxes = localTestSandboxes()
const suite = sandboxes.skip ? describe.skip : describe

/** A diff of a file that does not exist: neither git apply nor patch can apply it. */
const WRONG_FILE_DIFF =
  '```diff\n--- a/greeting.py\n+++ b/greeting.py\n@@ -1,2 +1,5 @@\n def hello(name):\n     return f"Hello, {name}!"\n+\n+def goodbye(name):\n+    return f"Goodbye, {name}!"\n```\n'

interface Outcome {
  result: AgentResult
  requests: Array<RecordedRequest & { body: ChatCompletionRequestBody }>
  recorder: RecordingRecorder
  /** greet.py in the sandbox after the run. */
  greetPy: string
  patch: string
}

suite(`agent oneshot on a fixture task in a real sandbox${sandboxes.skip ? ` (skipped: ${sandboxes.skip})` : ''}`, () => {
  let fixture: GreetingsTask
  beforeAll(async () => {
    fixture = await createGreetingsTask()
  })
  afterAll(async () => {
    await sandboxes.close()
    await fixture?.cleanup()
  })

  const good = () => textTurn(`Here it is:\n\n\`\`\`diff\n${fixture.goldPatch}\`\`\`\n`, { usage: { promptTokens: 2000, completionTokens: 100 } })

  /** Runs the agent as the harness would, on a fresh sandbox, against a scripted model. */
  async function runOneshot(
    script: LlmScript,
    setup: { options?: Record<string, unknown>; limits?: AgentRunContext['limits']; coop?: { mailbox: Mailbox } } = {},
  ): Promise<Outcome> {
    const server = await startScriptedLlmServer({ script })
    const sandbox = await sandboxes.create(fixture.task)
    try {
      const recorder = recordingRecorder()
      const ctx: AgentRunContext = {
        agentId: setup.coop ? 'agent1' : 'solo',
        featureIds: [1],
        instructions: fixture.spec,
        task: fixture.task,
        sandbox,
        peers: setup.coop ? ['agent2'] : [],
        mailbox: setup.coop?.mailbox ?? null,
        git: null,
        coordination: NO_COORDINATION,
        model: 'openai/scripted-model',
        options: { model_base_url: server.url, ...setup.options },
        // As the harness decides them when the run sets none: what the options ask for.
        limits: setup.limits ?? { steps: 0, costUsd: 0, wallClockSeconds: null, ...oneshotOwnLimits(setup.options ?? {}) },
        recorder,
        logger: silentLogger,
        signal: new AbortController().signal,
      }
      const result = await createOneshotAgent({}, { env: {} }).run(ctx)
      const { patch } = await extractPatch(sandbox, fixture.baseCommit)
      const greetPy = Buffer.from(await sandbox.readFile('/workspace/repo/greet.py')).toString('utf8')
      return { result, requests: server.chatRequests(), recorder, greetPy, patch }
    } finally {
      await sandbox.terminate()
      await server.close()
    }
  }

  const lastUser = (request: { body: ChatCompletionRequestBody }) => String(request.body.messages.at(-1)!.content)
  const trajectory = (outcome: Outcome) => outcome.recorder.saves.at(-1) as OneshotTrajectoryMessage[]

  it('retries a diff that does not apply, telling the model why, and the second diff lands in the repository', async () => {
    const bad = textTurn(WRONG_FILE_DIFF, { usage: { promptTokens: 1000, completionTokens: 50 } })
    const outcome = await runOneshot([bad, good()], { options: { inputCostPerToken: 0.000001, outputCostPerToken: 0.00001 } })

    expect(outcome.result).toMatchObject({ status: 'Submitted', steps: 2, input_tokens: 3000, output_tokens: 150, error: null })
    expect(outcome.result.cost).toBeCloseTo(3000 * 0.000001 + 150 * 0.00001, 10)
    expect(outcome.greetPy).toContain('def goodbye(name):\n    return f"Goodbye, {name}!"\n')
    expect(outcome.patch).toContain('+def goodbye(name):')
    expect(outcome.patch).not.toContain('greeting.py')

    const [first, second] = outcome.requests
    expect(first!.body.model).toBe('scripted-model')
    // The named file's contents and the task are in the first prompt; the binary asset is not.
    expect(lastUser(first!)).toContain('Add `goodbye(name)` to `greet.py`')
    expect(lastUser(first!)).toContain('## greet.py\n\n```\ndef hello(name):')
    expect(lastUser(first!)).not.toContain('## assets/logo.png')
    // The retry continues the conversation with the apply error.
    expect(second!.body.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user'])
    expect(lastUser(second!)).toMatch(/could not be applied[\s\S]*greeting\.py: No such file or directory/)

    const saved = trajectory(outcome)
    expect(saved.filter((m) => m.role === 'tool').map((m) => m.extra['applied'])).toEqual([false, true])
    expect(saved.at(-1)).toMatchObject({ role: 'exit', extra: { exit_status: 'Submitted' } })
    expect(outcome.result.messages).toEqual(saved)
  })

  it('stops with LimitsExceeded after its calls are spent, the repository untouched, the run step limit capping attempts', async () => {
    const outcome = await runOneshot([textTurn('I would rather describe it in words.'), textTurn(WRONG_FILE_DIFF), good()], {
      options: { attempts: 5, step_limit: 4 },
      limits: { steps: 2, costUsd: 0, wallClockSeconds: null },
    })

    expect(outcome.requests).toHaveLength(2)
    expect(lastUser(outcome.requests[1]!)).toMatch(/the reply contains no unified diff/)
    expect(outcome.result).toMatchObject({ status: 'LimitsExceeded', steps: 2, cost: 0, error: 'no diff applied after 2 model call(s)' })
    expect(outcome.patch).toBe('')
    expect(trajectory(outcome).at(-1)).toMatchObject({ role: 'exit', extra: { exit_status: 'LimitsExceeded', cost: null } })
  })

  it('in coop, shows the teammate’s message to the model and sends one message naming the files it changed', async () => {
    const bus = new MemoryBus()
    const mailbox = await bus.open('run:oneshot-test', 'agent1', ['agent2'])
    const teammate = await bus.open('run:oneshot-test', 'agent2', ['agent1'])
    try {
      await teammate.send('agent1', 'I am adding greet_all() at the end of greet.py; please put yours above it.')
      const outcome = await runOneshot([good()], { coop: { mailbox } })

      expect(outcome.result.status).toBe('Submitted')
      const [request] = outcome.requests
      expect(String(request!.body.messages[0]!.content)).toContain('you are agent1; agent2 implements other features')
      expect(lastUser(request!)).toContain('[Message from agent2]: I am adding greet_all() at the end of greet.py')
      const received = await teammate.receive()
      expect(received).toHaveLength(1)
      expect(received[0]).toMatchObject({ from: 'agent1', to: 'agent2' })
      expect(received[0]!.content).toMatch(/^agent1 here: my feature is done; I changed greet\.py\./)
      expect(await bus.transcript('run:oneshot-test')).toHaveLength(2)
    } finally {
      await mailbox.close()
      await teammate.close()
      await bus.close()
    }
  })

  it('ends with status Error naming the fix when the model refuses the credentials', async () => {
    const server = await startScriptedLlmServer({ apiKey: 'sk-needed', script: [good()] })
    try {
      const outcome = await runOneshot([], { options: { baseUrl: server.url } })
      expect(outcome.result.status).toBe('Error')
      expect(outcome.result.error).toMatch(/answered 401.*\(Check the API key in the variable named by agents\.oneshot\.apiKeyEnv/)
      expect(outcome.requests).toHaveLength(0)
      expect(outcome.patch).toBe('')
    } finally {
      await server.close()
    }
  })
})
