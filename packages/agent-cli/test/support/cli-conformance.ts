import { type AgentConformanceOptions, type AgentFixtureFeature, applyPatchCommand, describeAgentConformance, localTestSandboxes } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { CliAgent, type CliProfile, hostBinary } from '../../src/index.js'
import type { ShellCall } from './gold-model.js'

/** What differs between the CLI profiles' conformance suites. */
export interface CliConformanceSetup {
  profile: CliProfile
  /** The CLI's API key variable with a dummy value (the scripted server takes any key). */
  env: Record<string, string>
  /** The model name, its provider prefix choosing the CLI's wire. */
  model: string
  /** The API the scripted server speaks (testkit's default: OpenAI Chat Completions). */
  wire?: AgentConformanceOptions['wire']
  /** How the model asks the CLI for a shell command. */
  shell: ShellCall
  timeoutMs?: number
  /** Also the team-setting checks (default true; the prompt is the same code for every profile). */
  teamChecks?: boolean
}

/**
 * Declares testkit's agent conformance suite for `profile`, with the real CLI from npm (a
 * devDependency) in local sandboxes that share this machine's network, so that it reaches the
 * scripted model server on 127.0.0.1. The model applies the gold patch with one shell command,
 * then answers. One test file per profile calls this, so that vitest runs each suite on its own.
 */
export function describeCliAgentConformance(setup: CliConformanceSetup): void {
  const { profile } = setup
  const sandboxes = localTestSandboxes({ network: true })
  afterAll(() => sandboxes.close())
  // Without the binary the suite skips, except under CI, where it runs and fails.
  const missing = hostBinary(profile) === null && !process.env.CI ? `${profile.npm.package}@${profile.npm.version} is not installed` : false
  describeAgentConformance(profile.name, {
    skip: sandboxes.skip || missing,
    createAgent: () => new CliAgent(profile, { env: setup.env }),
    createSandbox: sandboxes.create,
    ...(setup.wire === undefined ? {} : { wire: setup.wire }),
    ...cliRunSettings(setup),
    messaging: true,
    // The seat's briefing in our prompt, and its command tool on the CLI's PATH, run by the model.
    coordination: { promptSource: 'cooperbench-cli-v1', runCommand: setup.shell },
    // A CLI's own loop shows no task list summary; a profile that takes MCP servers offers the
    // wait_for_message tool.
    ...(setup.teamChecks === false ? {} : { team: { waitForMessage: profile.mcpConfig !== undefined } }),
    ...(setup.timeoutMs === undefined ? {} : { timeoutMs: setup.timeoutMs }),
  })
}

/** The model, its options and the script of one conformance run: the model applies the gold patch with one shell command, then answers. */
export function cliRunSettings(setup: CliConformanceSetup) {
  return {
    model: setup.model,
    modelOptions: (url: string) => ({ model_base_url: url }),
    options: { poll_seconds: 0.5, step_limit: 10 },
    script: ({ goldPatch }: AgentFixtureFeature) => [setup.shell(applyPatchCommand(goldPatch)), { content: 'The feature is implemented.' }],
  }
}
