import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { coordinationOf } from '@cooperbench/core/runner'
import { type AgentRunContext, type Briefing, type Coordination, type ExecResult, type Mailbox, type Sandbox, SEAT_COMMAND_DIR } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CliAgent, type CliProfile, claudeCodeProfile, codexProfile, qwenCodeProfile } from '../src/index.js'
import { buildCliPrompt, type CliPromptInput } from '../src/prompt.js'
import { loadReferencePromptTemplate, renderReferencePrompt } from '../src/reference/prompt-template.js'
import { RUN_LIMITS } from './support/run-limits.js'

/**
 * How the CLI agents map a seat's coordination surface (`ctx.coordination`), whatever setting fills it: the briefing's
 * sections in our prompt, upstream's block (or the sections) in the reference's, the command folder on PATH (also of a
 * login shell), and the `wait_for_message` MCP tool when the seat asks for one.
 */
const SECTIONS = [
  { title: 'Your part', body: 'You are **agent1**, and you organise the work.' },
  { title: 'Notes', body: 'Write your notes to `/notes`.' },
]
const WHERE = 'The repository is in /workspace/repo (your working directory). Make your changes there; do not commit them, the harness takes the diff.'
const TALK = [
  '# Talking to your teammates',
  '',
  'These shell commands are on your PATH:',
  '- `send_message <agent> <message>`: sends the message to that teammate.',
  '- `broadcast <message>`: sends it to every teammate.',
  '- `check_messages`: prints the messages your teammates sent you since you last checked.',
  '',
  'Before you edit shared files, say which files and functions you will change; run `check_messages` every few steps and before you finish, and answer questions your teammates ask. Keep messages short and concrete.',
].join('\n')
const WAIT = [
  '# Waiting for teammates',
  '',
  'You have a tool, `wait_for_message`: it waits until a message from a teammate reaches you and returns it, with any others that came ' +
    '(they then count as read), or says that none came within `timeout_seconds` (default 60, at most 600). ' +
    'When you cannot go on until a teammate answers or finishes their part, call it instead of sleeping in a shell loop.',
].join('\n')

function prompt(overrides: Partial<CliPromptInput> = {}): string {
  return buildCliPrompt({
    agentId: 'agent1',
    peers: ['agent2'],
    instructions: 'Add a --verbose flag.',
    messaging: true,
    gitRemote: null,
    earlyMessages: [],
    ...overrides,
  })
}

describe('the briefing in prompt profile cooperbench-cli-v1', () => {
  it('without sections: the pair’s team paragraph, unchanged; alone: how it works', () => {
    const head = '# Your task\n\nAdd a --verbose flag.\n\n'
    expect(prompt({ gitRemote: 'team' })).toBe(
      `${head}# Your team\n\nYou are agent1. Your teammate is agent2. Each of you implements a different feature in your own copy of the same ` +
        'repository, at the same time. When everyone is done, the harness merges your changes; the work succeeds only if every feature passes ' +
        `its tests on the merged code and the changes merge without conflicts. ${WHERE}\n\n${TALK}\n\n# Shared git remote\n\n` +
        'A git remote named `team` is shared with your team: push your work to a branch of your own (`git push team HEAD:agent1`) ' +
        'and fetch theirs (`git fetch team`) to see what they changed.',
    )
    const alone = `${head}# How you work\n\n${WHERE} When the feature is done, stop.`
    expect(prompt({ peers: [], messaging: false })).toBe(alone)
    expect(prompt({ peers: [], messaging: false, sections: SECTIONS, waitForMessage: true })).toBe(alone)
  })

  it('the sections replace it, where the first section ends; then the wait tool when offered, the commands, the remote, early messages', () => {
    const text = prompt({ sections: SECTIONS, waitForMessage: true, gitRemote: 'team', earlyMessages: ['[Message from agent2]: hi'] })
    expect(text).toBe(
      [
        '# Your task\n\nAdd a --verbose flag.',
        `# Your part\n\nYou are **agent1**, and you organise the work.\n\n${WHERE}`,
        '# Notes\n\nWrite your notes to `/notes`.',
        WAIT,
        TALK,
        '# Shared git remote\n\nA git remote named `team` is shared with your team: push your work to a branch of your own (`git push team HEAD:agent1`) ' +
          'and fetch theirs (`git fetch team`) to see what they changed.',
        '# Messages already received\n\n[Message from agent2]: hi',
      ].join('\n\n'),
    )
    expect(prompt({ sections: SECTIONS })).not.toMatch(/wait_for_message|Your team/)
    // The wait tool without sections (a setting that asks for it and briefs nothing).
    expect(prompt({ waitForMessage: true })).toContain(`${WHERE}\n\n${WAIT}\n\n${TALK}`)
  })
})

describe('the briefing in the reference’s prompt (protocol: reference)', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cb-cli-briefing-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('upstream’s block replaces the coop part, else the sections as ## blocks; git follows either; none: coop as before', async () => {
    const path = join(dir, 'prompt.json')
    await writeFile(path, JSON.stringify({ submission: 'SUBMIT', coop: 'COOP {agent_id}', git: 'GIT {partner_branches}' }))
    const template = await loadReferencePromptTemplate(path)
    const input = { task: 'TASK', agentId: 'agent1', partners: ['agent2'], messaging: true, gitRemote: 'team' }
    const render = (briefing: Briefing, overrides = {}) => renderReferencePrompt(template, { ...input, briefing, ...overrides })
    expect(render({ sections: SECTIONS, upstream: 'LEAD agent1' })).toBe('TASK\n\n---\n\nSUBMIT\n\n---\n\nLEAD agent1\n\n---\n\nGIT `team/agent2`')
    expect(render({ sections: SECTIONS, upstream: 'MEMBER' }, { gitRemote: null, messaging: false })).toBe('TASK\n\n---\n\nSUBMIT\n\n---\n\nMEMBER')
    expect(render({ sections: SECTIONS, upstream: null }, { gitRemote: null })).toBe(
      'TASK\n\n---\n\nSUBMIT\n\n---\n\n## Your part\n\nYou are **agent1**, and you organise the work.\n\n## Notes\n\nWrite your notes to `/notes`.',
    )
    const none = { sections: [], upstream: null }
    expect(render(none)).toBe('TASK\n\n---\n\nSUBMIT\n\n---\n\nCOOP agent1\n\n---\n\nGIT `team/agent2`')
    expect(render(none)).toBe(renderReferencePrompt(template, input))
    expect(render(none, { partners: [], messaging: false, gitRemote: null })).toBe('TASK\n\n---\n\nSUBMIT')
  })

  it("is, for each agent of a team of two or three, with and without --git and messaging, what upstream's build_team_instruction composes (recorded from upstream's code)", async () => {
    // The team setting's fixture: upstream's composition with markers for its text (its note names the commits).
    const fixture = new URL('../../setting-team/test/fixtures/upstream-team-prompt.json', import.meta.url)
    const recorded = JSON.parse(readFileSync(fixture, 'utf8')) as {
      task: string
      cases: Array<{ agents: string[]; agent_id: string; git_enabled: boolean; team_task_section: string; build_team_instruction: string }>
    }
    const path = join(dir, 'markers.json')
    const git = '<git agent_id={agent_id} partners={partner_str}>'
    await writeFile(path, JSON.stringify({ submission: '<submission>', coop: '<coop agent_id={agent_id} partners={partner_str}>', git }))
    const template = await loadReferencePromptTemplate(path)
    for (const c of recorded.cases) {
      for (const messaging of [true, false]) {
        const input = {
          task: recorded.task,
          agentId: c.agent_id,
          partners: c.agents.filter((a) => a !== c.agent_id),
          messaging,
          gitRemote: c.git_enabled ? 'team' : null,
          briefing: { sections: SECTIONS, upstream: c.team_task_section },
        }
        expect(renderReferencePrompt(template, input), `${c.agent_id} of ${c.agents.length}, git ${c.git_enabled}`).toBe(c.build_team_instruction)
      }
    }
  })
})

/** A sandbox that records what the agent writes and runs; the CLI "exits" at once without output. */
function recordingSandbox() {
  const files = new Map<string, string>()
  const commands: string[] = []
  const sandbox: Sandbox = {
    id: 'fake',
    async exec(command): Promise<ExecResult> {
      const text = Array.isArray(command) ? command.join(' ') : command
      commands.push(text)
      // The binary probe: the first candidate is there.
      const found = /if \[ -[xf] '?([^' ]+)'? \]; then echo/.exec(text)?.[1]
      return { exitCode: 0, stdout: found !== undefined && text.endsWith('exit 1') ? `${found}\n` : '', stderr: '' } as ExecResult
    },
    async writeFile(path, data) {
      files.set(path, typeof data === 'string' ? data : Buffer.from(data).toString('utf8'))
    },
    async readFile(path) {
      if (!files.has(path)) throw new Error(`no ${path}`)
      return Buffer.from(files.get(path)!)
    },
    async terminate() {},
  }
  return { sandbox, files, commands }
}

const mailbox = { agentId: 'agent1', peers: ['agent2'], receive: async () => [], send: async () => ({}) } as unknown as Mailbox

async function runWith(coordination: Coordination, options: Record<string, unknown> = {}, withMailbox = true, profile: CliProfile = claudeCodeProfile) {
  const { sandbox, files, commands } = recordingSandbox()
  const agent = new CliAgent(profile, { env: { ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'k' }, hostBinary: () => `/usr/bin/${profile.npm.command}` })
  const ctx: AgentRunContext = {
    agentId: 'agent1',
    featureIds: [1],
    instructions: 'Add a --verbose flag.',
    task: { repo: 'r', taskId: 1 } as unknown as AgentRunContext['task'],
    sandbox,
    peers: ['agent2'],
    mailbox: withMailbox ? mailbox : null,
    git: null,
    coordination,
    model: profile === claudeCodeProfile ? 'anthropic/m' : 'openai/m',
    options: { poll_seconds: 0.05, ...options },
    limits: RUN_LIMITS,
    recorder: { save: async () => {} },
    logger: silentLogger,
    signal: new AbortController().signal,
  }
  const result = await agent.run(ctx)
  const launch = commands.find((c) => c.includes('exec ') && c.includes('stream.jsonl'))
  return { result, files, launch: launch ?? '' }
}

const WAIT_SCRIPT = '/tmp/.cooperbench-cli/bin/coop-mcp-wait'
const CLAUDE_MCP = '/tmp/.cooperbench-cli/home/.claude.json'

describe('a CLI run maps the surface once', () => {
  it('the command folder joins the CLI’s PATH after its own commands, and the login shell’s profile puts both back', async () => {
    const commandTool = { kind: 'command', name: 'coop-note', description: '', run: async () => ({ exitCode: 0, output: '' }) }
    const { files, launch } = await runWith(coordinationOf({ tools: [commandTool as never] }))
    const bins = `/tmp/.cooperbench-cli/bin:${SEAT_COMMAND_DIR}`
    expect(launch).toMatch(new RegExp(`^export PATH=${bins}:"\\$PATH"; cd /workspace/repo && exec `))
    expect(files.get('/tmp/.cooperbench-cli/home/.profile')).toBe(`case ":$PATH:" in *":${bins}:"*) ;; *) export PATH="${bins}:$PATH" ;; esac\n`)
    // Without command tools, the CLI's own commands only.
    const plain = await runWith(coordinationOf())
    expect(plain.launch).toMatch(/^export PATH=\/tmp\/\.cooperbench-cli\/bin:"\$PATH"; cd/)
    expect(plain.files.get('/tmp/.cooperbench-cli/home/.profile')).not.toContain(SEAT_COMMAND_DIR)
  })

  it('the briefing’s sections and the wait tool reach our prompt; the tool is offered with messaging only, when the seat asks', async () => {
    const asked = coordinationOf({ briefing: { sections: SECTIONS, upstream: 'UPSTREAM' }, waitForMessages: { declaration: null } })
    const { files } = await runWith(asked)
    const text = files.get('/tmp/.cooperbench-cli/prompt.md')!
    expect(text).toContain(`# Your part\n\nYou are **agent1**, and you organise the work.\n\n${WHERE}\n\n# Notes`)
    expect(text).toContain(`${WAIT}\n\n${TALK}`)
    expect(text).not.toContain('UPSTREAM')
    expect(files.get(WAIT_SCRIPT)).toContain('"name":"wait_for_message"')
    expect(JSON.parse(files.get(CLAUDE_MCP)!).mcpServers['cooperbench-team'].command).toBe(WAIT_SCRIPT)
    for (const [coordination, withMailbox] of [
      [coordinationOf({ briefing: { sections: SECTIONS, upstream: null } }), true],
      [asked, false],
    ] as const) {
      const { files } = await runWith(coordination, {}, withMailbox)
      expect(files.get('/tmp/.cooperbench-cli/prompt.md')).not.toContain('wait_for_message')
      expect(files.has(WAIT_SCRIPT)).toBe(false)
      expect(files.has(CLAUDE_MCP)).toBe(false)
    }
  })

  // What `--team-no-mcp` leaves each real CLI without (the team's seats then ask for no tool): the
  // e2e file team-mcp runs the tool on with every CLI, and codex's conformance suite the flag.
  it('each CLI gets the wait_for_message server and its registration when the seat asks, and neither (nor a word of it) when it does not', async () => {
    const registrations = (files: Map<string, string>) => [...files].filter(([path, text]) => path !== WAIT_SCRIPT && text.includes('cooperbench-team'))
    for (const profile of [claudeCodeProfile, codexProfile, qwenCodeProfile]) {
      const asked = await runWith(coordinationOf({ waitForMessages: { declaration: null } }), {}, true, profile)
      expect(asked.files.has(WAIT_SCRIPT), `${profile.name}: the server, asked for`).toBe(true)
      expect(registrations(asked.files), `${profile.name}: its registration, asked for`).toHaveLength(1)
      const off = await runWith(coordinationOf(), {}, true, profile)
      expect(off.files.has(WAIT_SCRIPT), `${profile.name}: no server unasked`).toBe(false)
      expect(registrations(off.files), `${profile.name}: no registration unasked`).toEqual([])
      expect(off.files.get('/tmp/.cooperbench-cli/prompt.md'), `${profile.name}: the prompt names no such tool`).not.toContain('wait_for_message')
    }
  })

  it('protocol: reference serves upstream’s declaration as it is, even without messaging, and refuses to offer a tool it has none of', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-cli-wait-'))
    try {
      const path = join(dir, 'prompt.json')
      await writeFile(path, JSON.stringify({ submission: 'SUBMIT', coop: 'COOP', git: 'GIT' }))
      const reference = { protocol: 'reference', prompt_template: path }
      const declaration = { name: 'wait_for_message', description: 'upstream’s words', inputSchema: { type: 'object', properties: { timeout_ms: {} } } }
      const briefing = { sections: SECTIONS, upstream: 'UPSTREAM' }
      const { files } = await runWith(coordinationOf({ briefing, waitForMessages: { declaration } }), reference, false)
      expect(files.get('/tmp/.cooperbench-cli/prompt.md')).toBe('Add a --verbose flag.\n\n---\n\nSUBMIT\n\n---\n\nUPSTREAM')
      expect(files.get(WAIT_SCRIPT)).toContain(JSON.stringify({ tools: [declaration] }))
      expect(files.has('/tmp/.cooperbench-cli/home/.claude/.claude.json')).toBe(true)
      await expect(runWith(coordinationOf({ briefing, waitForMessages: { declaration: null } }), reference)).rejects.toThrow(
        /protocol: reference offers upstream's wait_for_message tool here, and the run has no declaration of it/,
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
