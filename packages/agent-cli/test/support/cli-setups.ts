import { claudeCodeProfile, codexProfile, qwenCodeProfile } from '../../src/index.js'
import type { CliConformanceSetup } from './cli-conformance.js'
import { claudeCodeShell, codexShell, qwenCodeShell } from './shell-calls.js'

/** Each first-party profile against the scripted server of its wire, with a dummy key (the server takes any). */
export const CLI_SETUPS = {
  // The real Claude Code binary against the scripted Anthropic Messages server.
  claude_code: {
    profile: claudeCodeProfile,
    env: { ANTHROPIC_API_KEY: 'conformance-dummy-key' },
    wire: 'anthropic-messages',
    model: 'anthropic/scripted-model',
    shell: claudeCodeShell,
  },
  // The real Codex CLI binary against the scripted OpenAI Responses server.
  codex: {
    profile: codexProfile,
    env: { OPENAI_API_KEY: 'conformance-dummy-key' },
    wire: 'openai-responses',
    model: 'openai/scripted-model',
    shell: codexShell,
  },
  // The real Qwen Code CLI (JavaScript, run by the Node.js running the tests) against the scripted
  // OpenAI Chat Completions server. A large JavaScript CLI: its start alone takes seconds on a busy machine.
  qwen_code: {
    profile: qwenCodeProfile,
    env: { OPENAI_API_KEY: 'conformance-dummy-key' },
    model: 'openai/scripted-model',
    shell: qwenCodeShell,
    // A guard against a hang, not a speed target: one conformance run of qwen took 19-41 s on a
    // calm slow machine and 98-106 s there under load (2026-11-27), against a bound of 105 s then
    // (a run's bound is this less 15 s).
    timeoutMs: 300_000,
  },
} as const satisfies Record<string, CliConformanceSetup>
