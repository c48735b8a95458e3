import { type AgentConformanceOptions, type AgentFixtureFeature, applyPatchCommand, describeAgentConformance, localTestSandboxes } from '@cooperbench/testkit'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import { CliAgent, type CliProfile, hostBinary } from '../../src/index.js'
import type { ShellCall } from './gold-model.js'
import { installUnderTmp, type TmpInstall } from './install-under-tmp.js'

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
  /**
   * Also the messaging checks: a message queued before the start, and two peers' messages,
   * reaching the agent and its model (default true; the early messages in the prompt, the
   * mailbox relay and its commands are the same code for every profile).
   */
  messagingChecks?: boolean
}

/**
 * Declares testkit's agent conformance suite for `profile`, with the real CLI from npm (a
 * devDependency) in local sandboxes that share this machine's network, so that it reaches the
 * scripted model server on 127.0.0.1. The model applies the gold patch with one shell command,
 * then answers. One test file per profile calls this, so that vitest runs each suite on its own.
 *
 * The CLI is installed again in a folder under `/tmp` first (as in a checkout there, or an npm
 * prefix there), which local sandboxes cover with a `/tmp` of their own: so every run of the
 * suite also shows that the agent still runs its CLI from there (the solo run: that it solves
 * the fixture). Runs through `cooperbench run` (the e2e files) take the CLI where npm put it.
 */
export function describeCliAgentConformance(setup: CliConformanceSetup): void {
  const { profile } = setup
  const sandboxes = localTestSandboxes({ network: true })
  // Without the binary the suite skips, except under CI, where it runs and fails.
  const missing = hostBinary(profile) === null && !process.env.CI ? `${profile.npm.package}@${profile.npm.version} is not installed` : false
  const skip = sandboxes.skip || missing
  let install: TmpInstall | undefined
  // Before the suite's own setup, which creates the agent; a copy (not hard links) takes a while.
  beforeAll(async () => {
    if (!skip) install = await installUnderTmp([profile])
  }, 300_000)
  afterAll(async () => {
    await sandboxes.close()
    await install?.remove()
  })
  describeAgentConformance(`${profile.name} (its CLI installed under /tmp)`, {
    skip,
    createAgent: () => {
      const dir = install?.dir ?? '(no install)'
      const binary = hostBinary(profile, join(dir, 'package.json'))
      // hostBinary falls back to the working directory's packages: the one under /tmp must be found.
      if (binary === null || !binary.startsWith(`${dir}/`)) throw new Error(`${profile.name}: the CLI found is ${binary}, not the one in ${dir}`)
      return new CliAgent(profile, { env: setup.env, hostBinary: () => binary })
    },
    createSandbox: sandboxes.create,
    ...(setup.wire === undefined ? {} : { wire: setup.wire }),
    ...cliRunSettings(setup),
    messaging: setup.messagingChecks !== false,
    // The seat's briefing in our prompt, and its command tool on the CLI's PATH, run by the model.
    coordination: { promptSource: 'cooperbench-cli-v1', runCommand: setup.shell },
    // A CLI's own loop shows no task list summary; a profile that takes MCP servers offers the
    // wait_for_message tool.
    ...(setup.teamChecks === false ? {} : { team: { waitForMessage: profile.mcpConfig !== undefined } }),
    ...(setup.timeoutMs === undefined ? {} : { timeoutMs: setup.timeoutMs }),
  })
}

/** The model, its options and the script of one conformance run: the model applies the gold patch with one shell command, then answers. */
function cliRunSettings(setup: CliConformanceSetup) {
  return {
    model: setup.model,
    modelOptions: (url: string) => ({ model_base_url: url }),
    // The agent's own 2 s polls: no check waits on one (messages queued before the start are in
    // the prompt, the seat's commands are answered by the harness), and each is a command in the
    // sandbox.
    options: { step_limit: 10 },
    script: ({ goldPatch }: AgentFixtureFeature) => [setup.shell(applyPatchCommand(goldPatch)), { content: 'The feature is implemented.' }],
  }
}
