import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { anthropicRequestTexts, type ScriptedTurn, startScriptedAnthropicServer } from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FeatureRef, featureIndex } from '../../cli/test/e2e/gold-features.js'
import { expectPairsAsExpected } from '../../cli/test/e2e/expected-verdicts.js'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli } from '../../cli/test/e2e/helpers.js'
import { claudeCodeProfile } from '../src/index.js'
import { hostBinaryOrFailInCi } from './support/cli-e2e.js'
import { expectCoopSubmitted } from './support/coop-checks.js'
import { claudeCodeShell } from './support/shell-calls.js'

/**
 * `claude_code` with `protocol: reference`, through `cooperbench run` with the real Claude Code
 * binary against the scripted Anthropic server, on the local backend: a coop pair without
 * messaging and one with messaging and --git. The prompt the CLI gets is the template (our
 * own wording here) rendered as the reference renders it, with no teammate text without messaging;
 * the binary sees the reference adapter's flags and environment and no limit flag; the patch
 * evaluated is the one the model wrote to patch.txt; the reference's coop-* commands carry messages.
 * Solo is the coop run without messaging as far as the protocol goes (the task and the submission
 * part, rendered: reference-protocol.test.ts; solo's task text of several features:
 * spec-utils/test/setting-task-texts; a CLI agent solo through `cooperbench run`: claude-code.e2e).
 */
const TEMPLATE = {
  submission: 'SUBMIT: when done, write your final diff to /workspace/repo/patch.txt; only that file is read.',
  coop: 'TEAM: you are {agent_id}, next to {partner_str}.',
  git: 'REMOTE: fetch team/{first_partner}; your branch is {agent_id}.',
}
const binary = hostBinaryOrFailInCi(claudeCodeProfile)
const env = { ANTHROPIC_API_KEY: 'sk-ant-test-not-a-real-key' }
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

/** Finds the `claude` process among this shell's ancestors and prints its arguments (up to `--`) and the reference's variables. */
const SHOW_CLAUDE =
  'p=$$; while [ "$p" -gt 1 ]; do ' +
  "if tr '\\0' '\\n' < /proc/$p/cmdline | grep -qx -- '--permission-mode=bypassPermissions'; then " +
  "tr '\\0' '\\n' < /proc/$p/cmdline | sed -n '2,/^--$/p' | sed 's/^/ARG /'; " +
  "tr '\\0' '\\n' < /proc/$p/environ | grep -E '^(ANTHROPIC_MODEL|CLAUDE_CONFIG_DIR|IS_SANDBOX|FORCE_AUTO_BACKGROUND_TASKS|ENABLE_BACKGROUND_TASKS|" +
  "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC|DISABLE_AUTOUPDATER)=' | sort | sed 's/^/ENV /'; break; fi; " +
  "p=$(awk '/^PPid:/{print $2}' /proc/$p/status); done"

/** Applies the feature found in the prompt, writes patch.txt from the index, leaves a scratch file outside it. */
function solveCommand(mine: FeatureRef): string {
  return `echo ${b64(mine.gold)} | base64 -d | git apply && git add -A && git diff --cached > patch.txt && echo scratch > scratch.txt`
}

let model: Awaited<ReturnType<typeof startScriptedAnthropicServer>>
let features: FeatureRef[]

beforeAll(async () => {
  features = await featureIndex()
  model = await startScriptedAnthropicServer({
    script: async (request) => {
      const texts = anthropicRequestTexts(request.body)
      const mine = features.filter((f) => texts.some((t) => t.includes(f.spec)))
      const me = /TEAM: you are (agent\d+)/.exec(texts.join('\n'))?.[1]
      // With messaging: the reference's commands, a broadcast first and the inbox read at the end.
      const talk = me === undefined ? [] : [claudeCodeShell(`coop-broadcast "${me} here, on feature ${mine[0]?.id}"`)]
      const read = me === undefined ? [] : [claudeCodeShell('until [ "$(coop-peek)" -gt 0 ]; do sleep 1; done; coop-peek; coop-recv; coop-agents')]
      const plan: ScriptedTurn[] =
        mine.length === 0
          ? [{ content: 'no feature found' }]
          : [...talk, claudeCodeShell(solveCommand(mine[0]!)), claudeCodeShell(SHOW_CLAUDE), ...read, { content: 'Done.' }]
      const turns = request.body.messages.filter((m) => m.role === 'assistant').length
      return plan[Math.min(turns, plan.length - 1)]!
    },
  })
})
afterAll(async () => {
  await model?.close()
})

const featureText = (repo: string, task: number, id: number) => readFile(join(DEMO_DATASET, repo, `task${task}`, `feature${id}`, 'feature.md'), 'utf8')

/** Every text the CLI sent the model, and the ARG / ENV lines its shell printed. */
function seen(): { texts: string[]; args: string[][]; env: string[][] } {
  const texts = model.modelRequests().flatMap((r) => anthropicRequestTexts(r.body))
  const lines = (prefix: string) =>
    texts
      .filter((t) => t.includes(`${prefix} `) && !t.includes('/proc/'))
      .map((t) =>
        t
          .split('\n')
          .filter((l) => l.startsWith(`${prefix} `))
          .map((l) => l.slice(prefix.length + 1)),
      )
  return { texts, args: lines('ARG'), env: lines('ENV') }
}

describe.skipIf(binary === null)('claude_code, the reference’s way (real binary)', () => {
  it('coop without and with messaging: the rendered template as prompt (no teammate text without messaging), the reference’s flags and environment, no limits, patch.txt evaluated, coop-* commands', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('cc-reference')
    const template = join(w.cwd, 'claude-code-prompt.json')
    await writeFile(template, JSON.stringify(TEMPLATE))
    const agent = { poll_seconds: 0.5, protocol: 'reference', prompt_template: template }
    await writeFile(join(w.cwd, 'cooperbench.config.json'), JSON.stringify({ backends: { local: { network: true } }, agents: { claude_code: agent } }))
    const common = ['-a', 'claude_code', '--dataset-dir', DEMO_DATASET, '--backend', 'local', '-m', 'anthropic/scripted-model', '--model-base-url', model.url]

    const coop = await runCli(
      ['run', ...common, '-n', 'ccref-coop', '--no-messaging', '-r', 'textkit_task', '-t', '7', '-f', '1,2'],
      w.options({ env, timeoutMs: 300_000 }),
    )
    expect(coop.code, describeResult(coop)).toBe(0)
    const coopDirs = await pairDirs(w.logs, 'ccref-coop', 'coop')
    for (const id of [1, 2]) {
      expect(seen().texts, `agent${id}'s prompt: its feature and the submission part`).toContain(
        `${await featureText('textkit_task', 7, id)}\n\n---\n\n${TEMPLATE.submission}`,
      )
    }
    const { texts, args, env: variables } = seen()
    expect(
      texts.some((t) => t.includes('TEAM:') || t.includes('REMOTE:')),
      'no teammate section without messaging',
    ).toBe(false)

    // The binary's own arguments and environment, read from /proc by its shell: both agents, the same each time.
    expect(args, 'each agent’s arguments shown').toHaveLength(2)
    for (const a of args)
      expect(a, 'the reference’s flags, no limit flag').toEqual([
        '--verbose',
        '--output-format=stream-json',
        '--permission-mode=bypassPermissions',
        '--print',
        '--',
      ])
    for (const v of variables) {
      expect(v.filter((line) => !line.startsWith('CLAUDE_CONFIG_DIR='))).toEqual([
        'ANTHROPIC_MODEL=scripted-model',
        'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1',
        'ENABLE_BACKGROUND_TASKS=1',
        'FORCE_AUTO_BACKGROUND_TASKS=1',
        'IS_SANDBOX=1',
      ])
      expect(v.find((line) => line.startsWith('CLAUDE_CONFIG_DIR='))).toMatch(/^CLAUDE_CONFIG_DIR=\/.+\/home\/\.claude$/)
    }

    // The patch evaluated is patch.txt (stripped, ending in one newline); the working-tree diff, scratch file included, is kept beside it.
    const patches: Array<[string, string, string]> = [
      [coopDirs[0]!, 'agent1.patch', 'agent1.worktree.patch'],
      [coopDirs[0]!, 'agent2.patch', 'agent2.worktree.patch'],
    ]
    for (const [dir, evaluated, worktree] of patches) {
      const patch = await readFile(join(dir, evaluated), 'utf8')
      expect(patch, `${dir}/${evaluated}`).toMatch(/^diff --git [^\n]+\n[\s\S]*[^\n]\n$/)
      expect(patch).not.toContain('scratch.txt')
      expect(await readFile(join(dir, worktree), 'utf8')).toContain('scratch.txt')
    }
    const coopRecord = await readJson(join(coopDirs[0]!, 'result.json'))
    for (const a of Object.values(coopRecord.agents as Record<string, { worktree_patch_lines: number; patch_lines: number }>)) {
      expect(a, `patch.txt judged: ${JSON.stringify(a)}`).toMatchObject({ status: 'Submitted', patch_source: 'agent_patch_file' })
      expect(a.worktree_patch_lines, 'the working-tree diff, scratch file included, is longer').toBeGreaterThan(a.patch_lines)
    }
    // Labels: the agent that ran, and the template's digest as the prompt source.
    expect(coopRecord, 'the agent and the template’s digest as labels').toMatchObject({
      agent_framework: 'claude_code',
      prompt_source: expect.stringMatching(/^reference-template:sha256:[0-9a-f]{64}$/),
    })
    expectPairsAsExpected(coopDirs, 'coop')

    // Coop with messaging and --git: the cooperation and git parts with the agent's fields; coop-* commands reach the teammate.
    const talk = await runCli(
      ['run', ...common, '-n', 'ccref-talk', '--git', '-r', 'textkit_task', '-t', '7', '-f', '1,2'],
      w.options({ env, timeoutMs: 300_000 }),
    )
    expect(talk.code, describeResult(talk)).toBe(0)
    const [talkDir] = await pairDirs(w.logs, 'ccref-talk', 'coop')
    const after = seen().texts
    for (const [id, me, peer] of [
      [1, 'agent1', 'agent2'],
      [2, 'agent2', 'agent1'],
    ] as const) {
      const parts = [
        await featureText('textkit_task', 7, id),
        TEMPLATE.submission,
        `TEAM: you are ${me}, next to ${peer}.`,
        `REMOTE: fetch team/${peer}; your branch is ${me}.`,
      ]
      expect(after, `${me}'s prompt`).toContain(parts.join('\n\n---\n\n'))
    }
    const conversation = await expectCoopSubmitted(talkDir!, (name, a) => expect(a.patch_source, name).toBe('agent_patch_file'))
    expect(conversation.map((m) => m.message).sort()).toEqual(['agent1 here, on feature 1', 'agent2 here, on feature 2'])
    // What coop-peek, coop-recv and coop-agents printed for agent1: the reference's count, JSON list and agent list.
    const received = after.find((t) => t.startsWith('1\n[\n  {\n    "from": "agent2"'))
    expect(received, 'agent1 read agent2’s message with coop-recv').toMatch(
      /^1\n\[\n {2}\{\n {4}"from": "agent2",\n {4}"to": "agent1",\n {4}"content": "agent2 here, on feature 2",\n {4}"timestamp": \d+\.?\d*,\n {4}"timestamp_iso": "[\d-]+T[\d:.]+"\n {2}\}\n\]\nagent1\nagent2/,
    )
  }, 900_000)
})
