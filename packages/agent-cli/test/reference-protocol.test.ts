import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import { planningRegistry } from '@cooperbench/testkit'
import { resolveLayeredConfig } from '@cooperbench/config'
import { planRun } from '@cooperbench/core/runner'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliAgent, claudeCodeProfile, codexProfile } from '../src/index.js'
import { resolveCliOptions } from '../src/options.js'
import { referenceInboxEntry } from '../src/reference/coop-commands.js'
import { cliPromptSource } from '../src/reference/prompt-source.js'
import { loadReferencePromptTemplate, renderReferencePrompt } from '../src/reference/prompt-template.js'
import { referencePatchText } from '../src/reference/submitted-patch.js'
import plugin from '../src/register.js'
import { RUN_LIMITS } from './support/run-limits.js'

/**
 * `protocol: reference` of the CLI agents: its options, the user's prompt template (Python format
 * fields, composed as the reference composes its Claude Code prompt), the reference's command
 * line, and `patch.txt` read as the reference reads it. Our own template wording, never the reference's.
 */
const SECTIONS = {
  submission: 'Write the diff to patch.txt. {Braces} stay as written here.',
  coop: 'I am {agent_id}; with {partner_str}. Literal {{braces}}.\n',
  git: 'Branches {partner_branches}; merge team/{first_partner} into {agent_id}.',
}
const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0
let dir: string
let templatePath: string

/** The limits a claude_code run planned with these agent options and run settings gives the agent (`ctx.limits`). */
async function limitsOf(agentOptions: Record<string, unknown>, run: Record<string, unknown> = {}) {
  const registry = await planningRegistry(plugin.plugin)
  const settings = await resolveLayeredConfig({ agent: 'claude_code', setting: 'solo', agents: { claude_code: agentOptions }, ...run }, undefined, dir)
  return (await planRun(registry, settings)).agentLimits
}

async function templateFile(name: string, content: unknown): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cb-reference-'))
  templatePath = await templateFile('prompt.json', SECTIONS)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the options of protocol: reference', () => {
  it('cooperbench takes the run’s step limit and no cost limit or wall clock; reference has no step or cost limit and the reference’s 2 h wall clock', async () => {
    expect(await limitsOf({})).toEqual({ steps: 100, costUsd: 0, wallClockSeconds: null })
    expect(resolveCliOptions({}, 7200)).toMatchObject({ protocol: 'cooperbench', wall_time_limit_seconds: 0 })
    const reference = { protocol: 'reference', prompt_template: templatePath }
    expect(await limitsOf(reference)).toEqual({ steps: 0, costUsd: 0, wallClockSeconds: null })
    expect(resolveCliOptions(reference, 7200)).toMatchObject({ wall_time_limit_seconds: 7200 })
  })

  it('limits the user sets still apply: the options’, then the run’s --step-limit / --cost-limit over them', async () => {
    const options = { protocol: 'reference', prompt_template: templatePath, step_limit: 40, wall_time_limit_seconds: 60 }
    expect(await limitsOf(options)).toMatchObject({ steps: 40, costUsd: 0 })
    expect(resolveCliOptions(options, 7200)).toMatchObject({ wall_time_limit_seconds: 60 })
    expect(await limitsOf(options, { stepLimit: 7, costLimit: 2 })).toEqual({ steps: 7, costUsd: 2, wallClockSeconds: null })
  })

  it('the registry accepts the protocol and the template path, and refuses another protocol', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    expect(registry.validateOptions('agent', 'claude_code', { protocol: 'reference', prompt_template: 'p.json' })).toMatchObject({
      protocol: 'reference',
    })
    expect(() => registry.validateOptions('agent', 'claude_code', { protocol: 'paper' })).toThrow(/invalid options of agent claude_code/)
  })

  it('preflight refuses, before any pair: reference without a template, a template without reference, reference on a CLI without it, a template that cannot render', async () => {
    const claude = new CliAgent(claudeCodeProfile, { env: { ANTHROPIC_API_KEY: 'k' } })
    const preflight = (options: Record<string, unknown>) => claude.preflight({ limits: RUN_LIMITS, model: 'anthropic/m', options })
    await expect(preflight({ protocol: 'reference' })).rejects.toThrow(/needs prompt_template/)
    await expect(preflight({ prompt_template: templatePath })).rejects.toThrow(/only read with protocol: reference/)
    await expect(preflight({ protocol: 'reference', prompt_template: join(dir, 'absent.json') })).rejects.toThrow(/absent\.json cannot be read/)
    const bad = await templateFile('bad.json', { ...SECTIONS, coop: 'You are {agent_id!r}.' })
    await expect(preflight({ protocol: 'reference', prompt_template: bad })).rejects.toThrow(/"coop" cannot be rendered: it has the field \{agent_id!r\}/)
    await expect(preflight({ protocol: 'reference', prompt_template: templatePath })).resolves.toBeUndefined()
    const codex = new CliAgent(codexProfile, { env: { OPENAI_API_KEY: 'k' } })
    await expect(codex.preflight({ limits: RUN_LIMITS, model: 'openai/m', options: { protocol: 'reference', prompt_template: templatePath } })).rejects.toThrow(
      /codex has no reference protocol/,
    )
  })
})

describe('the prompt template file', () => {
  it.each([
    ['not JSON', '{ submission: 1', /is not JSON/],
    ['a list', '[]', /must hold a JSON object/],
    ['an unknown key', { ...SECTIONS, system: 'x' }, /has unknown keys system/],
    ['a missing part', { submission: 'x', coop: 'y' }, /needs "git" as a string/],
    [
      'an unknown field',
      { ...SECTIONS, git: 'The task: {task}' },
      /the unknown field \{task\} \(known: agent_id, partner_str, partner_branches, first_partner\)/,
    ],
    ['a positional field', { ...SECTIONS, coop: 'a {} b' }, /the field \{\}/],
    ['an index', { ...SECTIONS, coop: '{partner_str[0]}' }, /the field \{partner_str\[0\]\}/],
    ['an attribute', { ...SECTIONS, git: '{agent_id.upper}' }, /the field \{agent_id\.upper\}/],
    ['a format spec', { ...SECTIONS, git: '{agent_id:>10}' }, /the field \{agent_id:>10\}/],
    ['a single }', { ...SECTIONS, coop: 'a } b' }, /a single '}' at offset 2/],
    ['an unclosed {', { ...SECTIONS, coop: 'a {agent_id' }, /a '\{' at offset 2 that is never closed/],
  ])('with %s is refused naming the problem', async (_what, content, message) => {
    const path = await templateFile('refused.json', content)
    await expect(loadReferencePromptTemplate(path)).rejects.toThrow(message)
  })

  it('is labelled by its digest; our own prompt by its profile', async () => {
    const digest = createHash('sha256').update(JSON.stringify(SECTIONS)).digest('hex')
    expect(await cliPromptSource({ protocol: 'reference', prompt_template: templatePath })).toBe(`reference-template:sha256:${digest}`)
    expect(await cliPromptSource({ protocol: 'cooperbench', prompt_template: null })).toBe('cooperbench-cli-v1')
  })
})

describe('the reference’s prompt, rendered', () => {
  const input = { task: '## Feature 1\n\nDo it.\n', agentId: 'agent1', partners: ['agent2', 'agent3'], messaging: true, gitRemote: 'team' }

  it('solo, and coop without messaging: the task and the submission part only — no teammate', async () => {
    const template = await loadReferencePromptTemplate(templatePath)
    const alone = `## Feature 1\n\nDo it.\n\n\n---\n\n${SECTIONS.submission}`
    expect(renderReferencePrompt(template, { ...input, agentId: 'solo', partners: [], messaging: false, gitRemote: null })).toBe(alone)
    expect(renderReferencePrompt(template, { ...input, messaging: false })).toBe(alone)
  })

  it('coop with messaging adds the cooperation part; with --git the git part, fields filled as the reference fills them', async () => {
    const template = await loadReferencePromptTemplate(templatePath)
    const coop = 'I am agent1; with agent2, agent3. Literal {braces}.\n'
    const git = 'Branches `team/agent2`, `team/agent3`; merge team/agent2 into agent1.'
    const head = `## Feature 1\n\nDo it.\n\n\n---\n\n${SECTIONS.submission}\n\n---\n\n${coop}`
    expect(renderReferencePrompt(template, { ...input, gitRemote: null })).toBe(head)
    expect(renderReferencePrompt(template, input)).toBe(`${head}\n\n---\n\n${git}`)
  })

  it.skipIf(!hasPython)('equals Python’s str.format of the same parts, joined the same way', async () => {
    const template = await loadReferencePromptTemplate(templatePath)
    const script = [
      'import json, sys',
      'd = json.load(sys.stdin); s = d["sections"]; a = d["agent_id"]; p = d["partners"]',
      'v = dict(agent_id=a, partner_str=", ".join(p), partner_branches=", ".join(f"`team/{x}`" for x in p), first_partner=p[0])',
      'sys.stdout.write("\\n\\n---\\n\\n".join([d["task"], s["submission"], s["coop"].format(**v), s["git"].format(**v)]))',
    ].join('\n')
    const stdin = JSON.stringify({ sections: SECTIONS, task: input.task, agent_id: input.agentId, partners: input.partners })
    const python = spawnSync('python3', ['-c', script], { input: stdin, encoding: 'utf8' })
    expect(python.status, python.stderr).toBe(0)
    expect(renderReferencePrompt(template, input)).toBe(python.stdout)
  })
})

describe('patch.txt as the reference reads it (upstream 0.0.16: text mode, only newlines trimmed)', () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['CRLF and lone CR become LF; one final newline', Buffer.from('\r\n  diff --git a/x b/x\r\n+y\r+z\r\n\r\n'), '  diff --git a/x b/x\n+y\n+z\n'],
    [
      'a last blank context line (" \\n") is kept, so the hunk still matches its header',
      Buffer.from('@@ -1,2 +1,2 @@\n-a\n+b\n \n\n'),
      '@@ -1,2 +1,2 @@\n-a\n+b\n \n',
    ],
    [
      'other whitespace is kept (\\x1c, \\x85, no-break space), a BOM kept',
      Buffer.from('\ufeff diff\n+a\x1c\u0085\u00a0\u3000\n'),
      '\ufeff diff\n+a\x1c\u0085\u00a0\u3000\n',
    ],
    ['bad UTF-8 becomes U+FFFD', Buffer.from([0x2b, 0xff, 0xfe, 0x61, 0x0a, 0x20]), '+\ufffd\ufffda\n \n'],
    ['nothing but whitespace is empty', Buffer.from(' \n\t \n'), ''],
  ]

  it.each(cases)('%s', (_what, bytes, expected) => {
    expect(referencePatchText(bytes)).toBe(expected)
  })

  it.skipIf(!hasPython)('equals what Python’s text-mode read and 0.0.16’s lstrip("\\n").rstrip("\\n") + "\\n" give (whitespace alone: empty)', () => {
    const script = [
      'import json, sys',
      'texts = [bytes.fromhex(h).decode("utf-8", "replace").replace("\\r\\n", "\\n").replace("\\r", "\\n") for h in json.load(sys.stdin)]',
      'sys.stdout.write(json.dumps(["" if not t.strip() else t.lstrip("\\n").rstrip("\\n") + "\\n" for t in texts]))',
    ].join('\n')
    const python = spawnSync('python3', ['-c', script], { input: JSON.stringify(cases.map(([, b]) => Buffer.from(b).toString('hex'))), encoding: 'utf8' })
    expect(python.status, python.stderr).toBe(0)
    expect(cases.map(([, bytes]) => referencePatchText(bytes))).toEqual(JSON.parse(python.stdout))
  })
})

describe('claude_code’s reference command line', () => {
  it('the reference adapter’s flags and environment: ANTHROPIC_MODEL, no --model, no limit flag unless a limit is set', () => {
    const reference = claudeCodeProfile.reference!
    const input = {
      binary: '/bin/claude',
      promptFile: '/p',
      model: reference.modelId('anthropic/claude-sonnet-4-5'),
      baseUrl: 'http://127.0.0.1:9',
      credentials: { ANTHROPIC_API_KEY: 'k' },
      home: '/h',
      stepLimit: 0,
      costLimit: 0,
    }
    expect(reference.invocation(input)).toEqual({
      args: ['--verbose', '--output-format=stream-json', '--permission-mode=bypassPermissions', '--print', '--', '{prompt}'],
      env: {
        ANTHROPIC_API_KEY: 'k',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
        HOME: '/h',
        ANTHROPIC_MODEL: 'claude-sonnet-4-5',
        CLAUDE_CONFIG_DIR: '/h/.claude',
        IS_SANDBOX: '1',
        FORCE_AUTO_BACKGROUND_TASKS: '1',
        ENABLE_BACKGROUND_TASKS: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      },
      enforces: { steps: true, cost: true },
    })
    expect(reference.invocation({ ...input, stepLimit: 30, costLimit: 2 }).args).toEqual([
      '--verbose',
      '--output-format=stream-json',
      '--permission-mode=bypassPermissions',
      '--max-turns',
      '30',
      '--max-budget-usd',
      '2',
      '--print',
      '--',
      '{prompt}',
    ])
    expect(reference.modelId('openrouter/anthropic/claude-x')).toBe('anthropic/claude-x')
    expect(reference.wallClockSeconds).toBe(7200)
  })
})

describe('what coop-recv prints', () => {
  const messages = [
    { id: '1', from: 'agent2', to: 'agent1', content: 'plain', timestamp: '2026-11-24T16:58:16.123Z' },
    { id: '2', from: 'agent3', to: 'agent1', content: 'quote " slash \\ tab\t nl\n del\u007f é ’ 😀 \u0001', timestamp: '2026-11-24T17:00:00.000+01:00' },
  ]

  it('each entry is the reference helper’s dict, in its order, as Python’s json.dumps(indent=2) prints it in the list', () => {
    expect(referenceInboxEntry(messages[0]!)).toMatch(
      /^ {2}\{\n {4}"from": "agent2",\n {4}"to": "agent1",\n {4}"content": "plain",\n {4}"timestamp": \d{10}\.123,\n {4}"timestamp_iso": "[^"]+\.123000"\n {2}\}$/,
    )
    expect(referenceInboxEntry(messages[1]!)).toContain('"content": "quote \\" slash \\\\ tab\\t nl\\n del\\u007f \\u00e9 \\u2019 \\ud83d\\ude00 \\u0001"')
  })

  it.skipIf(!hasPython)('equals Python’s json.dumps of the same entries (local time as datetime.fromtimestamp gives it)', () => {
    const script = [
      'import json, sys, datetime',
      'out = []',
      'for m in json.load(sys.stdin):',
      '    t = m["ms"] / 1000',
      '    out.append({"from": m["from"], "to": m["to"], "content": m["content"], "timestamp": t, "timestamp_iso": datetime.datetime.fromtimestamp(t).isoformat()})',
      'sys.stdout.write(json.dumps(out, indent=2))',
    ].join('\n')
    const input = JSON.stringify(messages.map((m) => ({ ...m, ms: Date.parse(m.timestamp) })))
    const python = spawnSync('python3', ['-c', script], { input, encoding: 'utf8' })
    expect(python.status, python.stderr).toBe(0)
    expect(`[\n${messages.map(referenceInboxEntry).join(',\n')}\n]`).toBe(python.stdout)
  })
})
