import { readFileSync } from 'node:fs'
import { type AgentRunContext, type Coordination, NO_COORDINATION, SEAT_COMMAND_DIR } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import type { TrajectoryMessage } from '../src/agent/trajectory.js'
import { agentWith, bash, contents, fakeSandbox, runContext, SUBMIT, SUBMITTED, scriptedModel } from './fakes.js'

/** A seat beside agent2 with this coordination surface; commands that end with the submit command submit (after a PATH line). */
function seat(coordination: Partial<Coordination>, overrides: Partial<AgentRunContext> = {}) {
  const sandbox = fakeSandbox((text) => (text.endsWith(SUBMIT) ? SUBMITTED : text.endsWith('cat patch.txt 2>/dev/null') ? { exitCode: 1 } : {}))
  return runContext({ agentId: 'agent1', peers: ['agent2'], sandbox, coordination: { ...NO_COORDINATION, ...coordination }, ...overrides })
}

const statuses = (request: Parameters<typeof contents>[0]) => contents(request).filter((c) => c.startsWith('[Status'))

describe("the seat's status before every model call", () => {
  it('shows what it reads as the last message before each call, each call its own, marked in the trajectory', async () => {
    let reads = 0
    const model = scriptedModel([bash('ls'), bash(SUBMIT)])
    const result = await agentWith(model).run(seat({ status: async () => `[Status] read ${++reads}` }))
    expect(result.status).toBe('Submitted')
    expect(contents(model.requests[0]).at(-1)).toBe('[Status] read 1')
    expect(contents(model.requests[1]).at(-1)).toBe('[Status] read 2')
    // The first stays in the history, as the reference's poller leaves it.
    expect(statuses(model.requests[1])).toEqual(['[Status] read 1', '[Status] read 2'])
    const marked = (result.messages as TrajectoryMessage[]).filter((m) => m.extra['coordination_status'] === true)
    expect(marked.map((m) => [m.role, m.content])).toEqual([
      ['user', '[Status] read 1'],
      ['user', '[Status] read 2'],
    ])
  })

  it('shows nothing when it reads null, or when the seat has none', async () => {
    for (const status of [async () => null, null]) {
      const model = scriptedModel([bash('ls'), bash(SUBMIT)])
      const result = await agentWith(model).run(seat({ status }))
      expect(model.requests.map((r) => contents(r).length)).toEqual([2, 4])
      expect((result.messages as TrajectoryMessage[]).some((m) => m.extra['coordination_status'])).toBe(false)
    }
  })

  it("one that cannot be read fails the run as the harness's error, before any model call", async () => {
    const model = scriptedModel([bash(SUBMIT)])
    const failing = seat({ status: () => Promise.reject(new Error('the task list is gone')) })
    await expect(agentWith(model).run(failing)).rejects.toThrow('the task list is gone')
    expect(model.requests).toHaveLength(0)
  })

  it("is read at the reference's hook too, after the inbox", async () => {
    const options = {
      agent: { system_template: 'sys', instance_template: 'task: {{ task }}', step_limit: 0, cost_limit: 3 },
      model: { cost_tracking: 'ignore_errors', observation_template: '{{ output.output }}' },
    }
    const model = scriptedModel([bash(SUBMIT)])
    await agentWith(model, options).run(seat({ status: async () => '[Status] open: 1' }, { options }))
    expect(contents(model.requests[0])).toEqual(['sys', 'task: Add a --verbose flag to the CLI.', '[Status] open: 1'])
  })
})

describe("the seat's command tools", () => {
  it('puts their folder on the PATH of every command again (a login shell resets it), and nothing without them', async () => {
    const on = seat({ commandDir: SEAT_COMMAND_DIR })
    await agentWith(scriptedModel([bash('coop-task-list'), bash(SUBMIT)])).run(on)
    const line = `export PATH="${SEAT_COMMAND_DIR}:$PATH"\n`
    expect((on.sandbox as ReturnType<typeof fakeSandbox>).commands).toEqual([`${line}coop-task-list`, `${line}${SUBMIT}`])
    const off = seat({})
    await agentWith(scriptedModel([bash('ls'), bash(SUBMIT)])).run(off)
    expect((off.sandbox as ReturnType<typeof fakeSandbox>).commands).toEqual(['ls', SUBMIT])
  })
})

describe("the seat's briefing under the reference's configuration: `{{ task }}`", () => {
  const options = {
    agent: { system_template: 'sys {{ agent_id }} of {{ agents | length }}', instance_template: 'task: {{ task }}', step_limit: 0, cost_limit: 3 },
    model: { cost_tracking: 'ignore_errors', observation_template: '{{ output.output }}' },
  }
  const firstTask = async (briefing: Coordination['briefing']) => {
    const model = scriptedModel([bash(SUBMIT)])
    await agentWith(model, options).run(seat({ briefing }, { options }))
    return contents(model.requests[0])[1]
  }
  const sections = [
    { title: 'Your role', body: 'LEAD agent1.' },
    { title: 'Task list', body: 'USAGE' },
  ]

  it("appends upstream's own block after a rule, as upstream's adapters append theirs", async () => {
    expect(await firstTask({ sections, upstream: 'LEAD agent1 over `agent2`.\n\nUSAGE' })).toBe(
      'task: Add a --verbose flag to the CLI.\n\n---\n\nLEAD agent1 over `agent2`.\n\nUSAGE',
    )
  })

  it('without it, the sections as headings after the same rule; without either, the instructions alone', async () => {
    expect(await firstTask({ sections, upstream: null })).toBe(
      'task: Add a --verbose flag to the CLI.\n\n---\n\n## Your role\n\nLEAD agent1.\n\n## Task list\n\nUSAGE',
    )
    expect(await firstTask({ sections: [], upstream: null })).toBe('task: Add a --verbose flag to the CLI.')
  })

  it("is, for each agent of a team of two or three, the task upstream's Python-loop adapters give theirs (recorded from upstream's code)", async () => {
    // The team setting's fixture: upstream's composition with markers for its text (its note names the commits).
    const fixture = new URL('../../setting-team/test/fixtures/upstream-team-prompt.json', import.meta.url)
    const recorded = JSON.parse(readFileSync(fixture, 'utf8')) as {
      task: string
      cases: Array<{ agents: string[]; agent_id: string; team_task_section: string; python_loop_task: string }>
    }
    const bare = { ...options, agent: { ...options.agent, instance_template: '{{ task }}' } }
    for (const c of recorded.cases) {
      const model = scriptedModel([bash(SUBMIT)])
      const peers = c.agents.filter((a) => a !== c.agent_id)
      const briefing = { sections, upstream: c.team_task_section }
      await agentWith(model, bare).run(seat({ briefing }, { options: bare, agentId: c.agent_id, peers, instructions: recorded.task }))
      expect(contents(model.requests[0])[1], `${c.agent_id} of ${c.agents.length}`).toBe(c.python_loop_task)
    }
  })
})
