import { readFile, writeFile } from 'node:fs/promises'
import { machine, type as osType } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { finalTurn, type ScriptedTurn, startScriptedLlmServer, textTurn, toolCall } from '@cooperbench/testkit/llm-server'
import { featureIndex, heredoc, soloApplyCommand, type FeatureRef } from './gold-features.js'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli } from './helpers.js'

/**
 * A configuration in the reference's `mini_swe_agent_v2` format (our own templates, written with
 * the constructs the reference's files use) drives the default agent against a scripted model
 * server that records every request: the exact first messages in coop and solo, the observation
 * of a short and of a >10,000-character output, the environment a command sees, the format-error
 * path, `patch.txt` as the evaluated patch and the labels. The expected texts are written out
 * here by hand, independently of the renderer.
 */
const CONFIG = `
agent:
  system_template: |
    You are {{ agent_id }} on a team of {{ agents | length }}.
  instance_template: |
    ## Task

    {{task}}
    {%- if agent_id %}
    Peers: {{ agents | reject('equalto', agent_id) | join(', ') }} (first: {{ agents | reject('equalto', agent_id) | first }})
    {%- else %}
    Alone.
    {%- endif %}
    Messaging: {{ messaging_enabled }}, git: {{ git_enabled }}.
    Host: {{system}} {{machine}}
  step_limit: 12
  cost_limit: 3.
  mode: confirm
environment:
  env:
    PAGER: cat
    CB_REFERENCE_PROBE: 'off'
model:
  cost_tracking: ignore_errors
  observation_template: |
    {%- if output.output | length < 10000 -%}
    {"returncode": {{ output.returncode }}, "output": {{ output.output | tojson }}}
    {%- else -%}
    {"returncode": {{ output.returncode }}, "head": {{ output.output[:5000] | tojson }}, "tail": {{ output.output[-5000:] | tojson }}, "elided": {{ output.output | length - 10000 }}}
    {%- endif -%}
  format_error_template: |
    Format error: {{error}}
  model_kwargs:
    drop_params: true
`

type Message = { role: string; content?: unknown; tool_calls?: unknown[] }
const text = (m: Message | undefined) => (typeof m?.content === 'string' ? m.content : '')

/** Each agent's script, by how far its conversation has come (replies kept + format errors answered). */
function referenceModel(features: FeatureRef[]) {
  return async (request: { body: { messages: Message[] } }): Promise<ScriptedTurn> => {
    const messages = request.body.messages
    const system = text(messages[0])
    const task = text(messages[1])
    const progress = messages.filter((m) => m.role === 'assistant' || (m.role === 'user' && text(m).startsWith('Format error:'))).length
    const mine = features.filter((f) => task.includes(f.spec))
    const me = /You are (agent\d+)/.exec(system)?.[1]
    if (me) {
      const peer = me === 'agent1' ? 'agent2' : 'agent1'
      const feature = mine[0]!
      const plan = [
        textTurn('Let me think about this first.'),
        toolCall(`send_message --wait ${peer} "hello from ${me}" && echo "$CB_REFERENCE_PROBE|$PAGER" && echo to-stderr >&2`),
        toolCall("head -c 12000 /dev/zero | tr '\\0' x"),
        toolCall(`${heredoc('/tmp/gold.patch', feature.gold)}\ngit apply /tmp/gold.patch && git diff > patch.txt && echo notes > scratch-notes.txt`),
        finalTurn(),
      ]
      return plan[Math.min(progress, plan.length - 1)]!
    }
    const [a, b] = mine.sort((x, y) => x.id - y.id)
    return [toolCall(`${await soloApplyCommand(a!, b!)} && git diff > patch.txt`), finalTurn()][Math.min(progress, 1)]!
  }
}

let server: Awaited<ReturnType<typeof startScriptedLlmServer>>
beforeAll(async () => {
  server = await startScriptedLlmServer({ script: referenceModel(await featureIndex()) as never })
})
afterAll(() => server?.close())

const host = `Host: ${osType()} ${machine()}`

describe("the reference's configuration format drives mini_swe_agent", () => {
  it('coop and solo: exact first messages, observations, environment, format errors, patch.txt and labels', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('reference-config')
    await writeFile(join(w.cwd, 'coop.yaml'), CONFIG)
    const pair = ['--dataset-dir', DEMO_DATASET, '-r', 'confkit_task', '-t', '5', '-f', '1,2']
    const model = ['-m', 'openai/scripted-model', '--model-base-url', server.url, '--agent-config', 'coop.yaml']
    const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
    // The paper's configuration under the paper's evaluation (0.0.14: naive merge, then union).
    const coop = await runCli(['run', '-n', 'ref-coop', ...pair, ...model, '--policy', 'cooperbench-0.0.14'], w.options({ env, timeoutMs: 600_000 }))
    expect(coop.code, describeResult(coop)).toBe(0)

    const [dir] = await pairDirs(w.logs, 'ref-coop', 'coop')
    const result = await readJson(join(dir!, 'result.json'))
    expect(result).toMatchObject({ agent_framework: 'mini_swe_agent', prompt_source: expect.stringMatching(/^reference-config:sha256:[0-9a-f]{64}$/) })
    expect(await readJson(join(w.logs, 'ref-coop', 'config.json'))).toMatchObject({
      agent_framework: 'mini_swe_agent',
      prompt_source: result.prompt_source,
      fingerprint: { agent: 'mini_swe_agent', prompt_profile: result.prompt_source },
    })
    const features = (await featureIndex('confkit_task')).filter((f) => f.task.taskId === 5 && f.id <= 2).sort((a, b) => a.id - b.id)
    const chat = server.chatRequests().filter((r) => text(r.body.messages[1] as Message).includes('## Task'))

    for (const [i, agent] of (['agent1', 'agent2'] as const).entries()) {
      const peer = agent === 'agent1' ? 'agent2' : 'agent1'
      const spec = await readFile(join(DEMO_DATASET, 'confkit_task', 'task5', `feature${i + 1}`, 'feature.md'), 'utf8')
      const mine = chat.filter((r) => text(r.body.messages[0] as Message) === `You are ${agent} on a team of 2.`)
      expect(mine.length, agent).toBe(5)
      const first = mine[0]!.body
      expect(first.messages.slice(0, 2)).toEqual([
        { role: 'system', content: `You are ${agent} on a team of 2.` },
        { role: 'user', content: `## Task\n\n${spec}\nPeers: ${peer} (first: ${peer})\nMessaging: True, git: False.\n${host}` },
      ])
      expect(first.tools).toEqual([
        {
          type: 'function',
          function: {
            name: 'bash',
            description: 'Execute a bash command',
            parameters: { type: 'object', properties: { command: { type: 'string', description: 'The bash command to execute' } }, required: ['command'] },
          },
        },
      ])
      // The reply without a tool call is dropped; the model gets the rendered format error instead.
      // A teammate's message may arrive at any step: it is set aside here, and counted below.
      const own = (messages: unknown[]) => (messages as Message[]).filter((m) => !text(m).startsWith('[Message from '))
      const second = own(mine[1]!.body.messages)
      expect(second.slice(2)).toEqual([
        { role: 'user', content: 'Format error: No tool calls found in the response. Every response MUST include at least one tool call.' },
      ])
      // send_message --wait sends at once; the rest of the command ran with the configuration's environment, stderr interleaved.
      const third = own(mine[2]!.body.messages)
      expect(third.at(-1)).toMatchObject({ role: 'tool', content: `{"returncode": 0, "output": "Message sent to ${peer}\\noff|cat\\nto-stderr\\n"}` })
      const fourth = own(mine[3]!.body.messages)
      const x = 'x'.repeat(5000)
      expect(fourth.at(-1)).toMatchObject({ role: 'tool', content: `{"returncode": 0, "head": "${x}", "tail": "${x}", "elided": 2000}` })

      const feature = features[i]!
      const patchFile = await readFile(join(dir!, `agent${feature.id}.patch`), 'utf8')
      const worktree = await readFile(join(dir!, `agent${feature.id}.worktree.patch`), 'utf8')
      expect(patchFile).not.toContain('scratch-notes.txt')
      expect(worktree).toContain('scratch-notes.txt')
      expect(patchFile.endsWith('\n') && patchFile.trim() === patchFile.trimEnd()).toBe(true)
      expect(result.agents[agent]).toMatchObject({ status: 'Submitted', steps: 5, patch_source: 'agent_patch_file', worktree_patch_lines: expect.any(Number) })
      const trajectory = await readJson(join(dir!, `agent${feature.id}_traj.json`))
      const notes = trajectory.messages.filter((m: Message) => text(m) === `[Message from ${peer}]: hello from ${peer}`)
      expect(notes.length, 'a message is delivered at most once').toBeLessThanOrEqual(1)
      const dropped = trajectory.messages.filter((m: { extra?: { dropped?: boolean } }) => m.extra?.dropped)
      expect(dropped.map((m: Message) => m.content)).toEqual(['Let me think about this first.'])
    }
    // The two patch.txt files (confkit task 5, features 1 and 2, as their gold patches) conflict under a plain
    // merge; 0.0.14's union merge joins them and both features pass (under 0.0.16, agent1's patch alone would fail).
    expect((await readJson(join(dir!, 'eval.json'))).merge).toMatchObject({ status: 'conflicts', strategy: 'union' })
    expect(await readJson(join(dir!, 'eval.json'))).toMatchObject({ both_passed: true })

    await writeFile(join(w.cwd, 'solo.yaml'), CONFIG)
    const solo = await runCli(
      ['run', '-n', 'ref-solo', '--setting', 'solo', ...pair, ...model.slice(0, -1), 'solo.yaml'],
      w.options({ env, timeoutMs: 600_000 }),
    )
    expect(solo.code, describeResult(solo)).toBe(0)
    const specs = await Promise.all([1, 2].map((f) => readFile(join(DEMO_DATASET, 'confkit_task', 'task5', `feature${f}`, 'feature.md'), 'utf8')))
    const soloFirst = server.chatRequests().find((r) => text(r.body.messages[0] as Message) === 'You are None on a team of 0.')
    expect(soloFirst?.body.messages[1]).toEqual({
      role: 'user',
      content: `## Task\n\n## Feature 1\n\n${specs[0]}\n\n---\n\n## Feature 2\n\n${specs[1]}\nAlone.\nMessaging: False, git: False.\n${host}`,
    })
    const [soloDir] = await pairDirs(w.logs, 'ref-solo', 'solo')
    expect(await readJson(join(soloDir!, 'result.json'))).toMatchObject({ agent: { status: 'Submitted', patch_source: 'agent_patch_file' } })
    expect(await readJson(join(soloDir!, 'eval.json'))).toMatchObject({ both_passed: true })
  }, 600_000)
})
