import { describe, expect, it } from 'vitest'
import { type CliInvocationInput, type CliProfile, claudeCodeProfile, codexProfile, qwenCodeProfile } from '../src/index.js'
import { mcpWaitServer } from '../src/mcp-wait-server.js'

/**
 * Where each profile registers the wait_for_message server, and with what: the file the
 * CLI reads its MCP servers from, inside the run's private home (the e2e file team-mcp checks
 * that each real CLI then offers the tool).
 */
const home = '/tmp/.cooperbench-cli/home'
const input: CliInvocationInput = {
  binary: '/bin/cli',
  promptFile: '/tmp/prompt.md',
  model: 'm',
  baseUrl: 'http://127.0.0.1:1',
  credentials: { KEY: 'k' },
  home,
  stepLimit: 0,
  costLimit: 0,
}
const server = mcpWaitServer()

function registration(profile: CliProfile, reference = false): Record<string, string> {
  const invocation = reference ? profile.reference!.invocation(input) : profile.invocation(input)
  return profile.mcpConfig!([server], { home, invocation })
}

describe('registering the wait_for_message server with each CLI', () => {
  it('the server: the script among the teammate commands, calls allowed beyond the longest wait', () => {
    expect(server).toEqual({ name: 'cooperbench-team', command: '/tmp/.cooperbench-cli/bin/coop-mcp-wait', args: [], callSeconds: 660 })
  })

  it('claude_code: mcpServers of .claude.json in its home, or in CLAUDE_CONFIG_DIR under the reference’s protocol; always loaded', () => {
    const entry = { type: 'stdio', command: server.command, args: [], env: {}, timeout: 660_000, alwaysLoad: true }
    const ours = registration(claudeCodeProfile)
    expect(Object.keys(ours)).toEqual([`${home}/.claude.json`])
    expect(JSON.parse(ours[`${home}/.claude.json`]!)).toEqual({ mcpServers: { 'cooperbench-team': entry } })
    const reference = registration(claudeCodeProfile, true)
    expect(Object.keys(reference)).toEqual([`${home}/.claude/.claude.json`])
    expect(JSON.parse(reference[`${home}/.claude/.claude.json`]!)).toEqual({ mcpServers: { 'cooperbench-team': entry } })
  })

  it('codex: an [mcp_servers] table of config.toml in CODEX_HOME, its call timeout above the longest wait', () => {
    expect(registration(codexProfile)).toEqual({
      [`${home}/config.toml`]: [
        '[mcp_servers."cooperbench-team"]',
        'command = "/tmp/.cooperbench-cli/bin/coop-mcp-wait"',
        'args = []',
        'startup_timeout_sec = 30',
        'tool_timeout_sec = 660',
        '',
      ].join('\n'),
    })
  })

  it('qwen_code: mcpServers of ~/.qwen/settings.json, trusted and always loaded', () => {
    const files = registration(qwenCodeProfile)
    expect(Object.keys(files)).toEqual([`${home}/.qwen/settings.json`])
    expect(JSON.parse(files[`${home}/.qwen/settings.json`]!)).toEqual({
      mcpServers: { 'cooperbench-team': { command: server.command, args: [], timeout: 660_000, trust: true, alwaysLoadTools: true } },
    })
  })
})
