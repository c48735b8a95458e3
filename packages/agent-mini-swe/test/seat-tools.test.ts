/**
 * A seat's command tools in a real sandbox (the local backend), installed and answered by the harness's own pieces
 * (`serveTools`, `coordinationOf`): the agent's commands find them in both modes, the reference's login shell included.
 */
import { coordinationOf, serveTools } from '@cooperbench/core/runner'
import type { CommandTool } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import { agentWith, bash, contents, runContext, SUBMIT, scriptedModel, fixtureSandboxes } from './fakes.js'

const sandboxes = fixtureSandboxes()

/** A command answered on the host: what it was given. */
const ECHO: CommandTool = {
  kind: 'command',
  name: 'seat-echo',
  description: 'Prints its arguments.',
  run: async (argv) => ({ exitCode: 0, output: `heard: ${argv.join(' ')}\n` }),
}

const REFERENCE = {
  agent: { system_template: 'sys', instance_template: 'task: {{ task }}', step_limit: 0, cost_limit: 3 },
  model: { cost_tracking: 'ignore_errors', observation_template: '{{ output.returncode }}|{{ output.output }}' },
}

describe.skipIf(sandboxes.skip)("a seat's command tools, in a real sandbox", () => {
  it.each([
    ['profile cooperbench-v1', {}],
    ["the reference's configuration (bash -lc)", REFERENCE],
  ])(
    '%s: the agent runs them like any other command',
    async (_mode, options) => {
      const sandbox = await sandboxes.create()
      const signal = new AbortController().signal
      const served = await serveTools(sandbox, [ECHO], { agentId: 'agent1', env: {}, logger: silentLogger, signal, hostSpoolDir: null, linkCommands: false })
      const model = scriptedModel([bash('seat-echo hello'), bash(SUBMIT)])
      try {
        const ctx = runContext({ agentId: 'agent1', peers: ['agent2'], sandbox: served.agentSandbox, coordination: coordinationOf({ tools: [ECHO] }), options })
        expect((await agentWith(model, options).run(ctx)).status).toBe('Submitted')
      } finally {
        await served.stop()
      }
      expect(contents(model.requests[1]).at(-1)).toContain('heard: hello\n')
    },
    120_000,
  )
})
