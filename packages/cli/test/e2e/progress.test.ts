import { spawn, spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { finalTurn, startScriptedLlmServer, textTurn, toolCall } from '@cooperbench/testkit/llm-server'
import { type FeatureRef, featureIndex, heredoc } from './gold-features.js'
import { CLI_BIN, DEMO_DATASET, describeResult, makeWorkdir, requireLocalBackend, runCli, demoPair } from './helpers.js'

/**
 * What `cooperbench run` prints while it goes, as the CooperBench docs show it, in a pipe (no
 * terminal: plain lines): `[Task i/N] repo/taskT features_a_b`, each agent's start and end with its
 * status, tokens and cost, each message between agents as it is sent (one line, cut), the pair's
 * completion time, and its verdict. The model is a scripted OpenAI-compatible server at a
 * `--model-base-url`, which has no price: its cost must read as unknown, never $0, with the cost
 * limit said to be off.
 */
type Message = { role: string; content?: unknown }
const text = (m: Message | undefined) => (typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? ''))

/** Each coop agent messages its teammate (two lines, longer than a progress line shows), applies its gold patch, submits. */
function messagingModel(features: FeatureRef[]) {
  return async (request: { body: { messages: Message[]; tools?: unknown[] } }) => {
    const messages = request.body.messages
    if (!request.body.tools || request.body.tools.length === 0) return textTurn('Summary: nothing to add.')
    const task = text(messages.find((m) => m.role === 'user'))
    const mine = features.filter((f) => task.includes(f.spec))
    const team = /You are \*\*(agent\d+)\*\*\. Your teammates? (?:is|are) \*\*(agent\d+)\*\*/.exec(task)
    const steps = messages.filter((m) => m.role === 'assistant').length
    const usage = { promptTokens: 1000, completionTokens: 50, cachedTokens: 0 }
    if (!team || mine.length !== 1) return textTurn(`cannot tell which feature this is (${mine.length} matched)`, { usage })
    const [feature] = mine
    const note = `${team[1]} here: I am implementing feature ${feature!.id}.\nI will only touch the files of my feature, ${'so please keep to yours. '.repeat(4)}END`
    const plan = [
      toolCall(`send_message ${team[2]} <<'NOTE'\n${note}\nNOTE`, { usage }),
      toolCall(`${heredoc('/tmp/gold.patch', feature!.gold)}\ngit apply /tmp/gold.patch && rm /tmp/gold.patch`, { usage }),
      finalTurn({ usage }),
    ]
    return plan[Math.min(steps, plan.length - 1)]!
  }
}

let server: Awaited<ReturnType<typeof startScriptedLlmServer>>
beforeAll(async () => {
  server = await startScriptedLlmServer({ script: messagingModel(await featureIndex('textkit_task')) as never })
})
afterAll(() => server?.close())

const PAIRS = ['features_1_2', 'features_2_4', 'features_3_4']

describe('cooperbench run progress', () => {
  it('in a pipe: [Task i/N] lines with agent status, messages as they happen, completion time, tokens, unknown cost; --quiet leaves pair and verdict lines', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('progress')
    const env = { OPENAI_API_KEY: 'sk-test-not-a-real-key-000000' }
    const common = [
      '-s',
      'demo',
      '-r',
      'textkit_task',
      '-t',
      '7',
      '--dataset-dir',
      DEMO_DATASET,
      '-a',
      'mini_swe_agent',
      '-m',
      'openai/scripted-model',
      '--model-base-url',
      server.url,
    ]
    const r = await runCli(['run', ...common, '-c', '3', '-n', 'talk'], w.options({ env, timeoutMs: 300_000 }))
    expect(r.code, describeResult(r)).toBe(0)
    const lines = r.stderr.split('\n')

    const tags = new Set<string>()
    for (const features of PAIRS) {
      const [a, b] = features.replace('features_', '').split('_')
      const header = lines.find((line) => new RegExp(`^\\[Task [1-3]/3\\] textkit_task/task7 ${features}$`).test(line))
      expect(header, `no [Task i/3] line for ${features}\n${r.stderr}`).toBeDefined()
      const tag = header!.split(' ', 2).join(' ')
      tags.add(tag)
      const mine = lines.filter((line) => line.startsWith(`${tag} `))
      expect(mine, r.stderr).toEqual(
        expect.arrayContaining([
          `${tag}   Agent 1: implementing feature ${a}…`,
          `${tag}   Agent 2: implementing feature ${b}…`,
          // 3 model calls of 1,000 + 50 tokens (3,150); the model has no price.
          `${tag}   Agent 1: Submitted · 3 steps · 3.1k tokens · cost unknown`,
          `${tag}   Agent 2: Submitted · 3 steps · 3.1k tokens · cost unknown`,
        ]),
      )
      // Each message on one line as it is sent, cut to its first 80 characters.
      for (const [from, to, id] of [
        ['1', '2', a],
        ['2', '1', b],
      ]) {
        const sent = mine.find((line) => line.startsWith(`${tag}   Agent ${from} → Agent ${to}: "`))
        expect(sent, r.stderr).toMatch(new RegExp(`: "agent${from} here: I am implementing feature ${id}\\. I will only touch the files of my fea…"$`))
        expect([...sent!.slice(sent!.indexOf('"') + 1, -1)]).toHaveLength(80)
      }
      expect(mine, r.stderr).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^\\${tag.slice(0, -1)}\\] ✓ textkit_task/task7 ${features} complete in \\d+s · 6\\.3k tokens · cost unknown \\(no price for the model: cost limit off\\)$`,
          ),
        ),
      )
      expect(mine, r.stderr).toContainEqual(expect.stringMatching(new RegExp(`^\\${tag.slice(0, -1)}\\] eval textkit_task/task7 ${features}: (pass|fail)`)))
    }
    expect([...tags].sort()).toEqual(['[Task 1/3]', '[Task 2/3]', '[Task 3/3]'])
    expect(r.stderr).not.toMatch(/\$0\.0000/)
    expect(r.stdout).toContain('  tokens     18.9k (input 18.0k, output 900)')
    expect(r.stdout).toContain('  cost       unknown (no price is known for the model, so the cost limit was off)')

    const quiet = await runCli(['run', ...common, '-f', '1,2', '-n', 'quiet', '--quiet', '--no-auto-eval'], w.options({ env, timeoutMs: 300_000 }))
    expect(quiet.code, describeResult(quiet)).toBe(0)
    expect(quiet.stderr).toMatch(/^\[Task 1\/1\] ✓ textkit_task\/task7 features_1_2 complete in \d+s · 6\.3k tokens · cost unknown/m)
    expect(quiet.stderr).not.toContain('→')
    expect(quiet.stderr).not.toMatch(/Agent \d:/)
  }, 600_000)

  it.skipIf(spawnSync('script', ['--version']).status !== 0)(
    'on a terminal a live line shows the tokens and cost so far under the same lines',
    async (ctx) => {
      requireLocalBackend(ctx)
      const w = await makeWorkdir('progress-tty')
      const args = ['run', ...demoPair(), '-a', 'mini_swe_agent', '-m', 'openai/scripted-model', '--model-base-url', server.url, '-n', 'tty', '--no-auto-eval']
      const command = [process.execPath, CLI_BIN, ...args].map((a) => `'${a}'`).join(' ')
      // util-linux `script` runs the CLI on a pseudo-terminal and copies what it shows to stdout.
      const child = spawn('script', ['-qefc', command, '/dev/null'], {
        cwd: w.cwd,
        env: { ...process.env, TMPDIR: w.tmp, OPENAI_API_KEY: 'sk-test-not-a-real-key-000000', NO_COLOR: '1' },
      })
      let screen = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk))
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
      expect(code, screen).toBe(0)
      const live = screen.split('\x1b[2K').filter((part) => /^\[[#.]+\] /.test(part))
      expect(live.length, screen).toBeGreaterThan(0)
      // The agent's warnings (no price for the model) are lines of their own, never glued to the live line.
      expect(screen).toMatch(/(^|\n|\x1b\[2K)warning: no price known for model openai\/scripted-model/)
      for (const part of live) expect(part, screen).not.toContain('warning:')
      expect(live.at(-1), screen).toMatch(/^\[#+\] 1\/1 pairs · running 0 · 6\.3k tokens · cost unknown \(cost limit off\) · ETA done/)
      expect(screen).toMatch(/\[Task 1\/1\] ✓ textkit_task\/task7 features_1_2 complete in \d+s · 6\.3k tokens · cost unknown/)
    },
    300_000,
  )
})
