import type { AgentRunContext, BriefingSection, Mailbox } from '@cooperbench/spec'
import { NO_COORDINATION } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { cooperbenchProtocol } from '../src/agent/cooperbench-protocol.js'
import { DEFAULT_OPTIONS } from '../src/agent/options.js'
import { runContext } from './fakes.js'

/** A mailbox only the prompt sees: its presence turns messaging on. */
const MAILBOX = {} as Mailbox

/** A briefing as a setting gives it (the team's: its role first). */
const SECTIONS: BriefingSection[] = [
  { title: 'Your role in the team', body: 'You are **agent1**, the lead of this team.\n\nYou also organise the work.' },
  { title: 'Task list', body: 'The team shares a task list.\n- `coop-task-list`: every task.' },
  { title: 'Scratchpad', body: '`/workspace/shared` is shared.' },
]

/** The task message profile `cooperbench-v1` opens a run of agent1 with, under the default options. */
function task(run: Partial<AgentRunContext>, sections = SECTIONS): string {
  const coordination = { ...NO_COORDINATION, briefing: { sections, upstream: null } }
  const protocol = cooperbenchProtocol(DEFAULT_OPTIONS, runContext({ agentId: 'agent1', peers: ['agent2'], mailbox: MAILBOX, coordination, ...run }))
  return protocol.templates.instance.render(protocol.vars({ calls: 0, cost: 0 }))
}

/** From the end of the task to the workflow. */
const briefingPart = (text: string) => text.slice(text.indexOf('\n\n## ', text.indexOf('## Your task')) + 2, text.indexOf('## Workflow')).trimEnd()

describe("a seat's briefing in profile cooperbench-v1", () => {
  it("takes the place of the pair's situation: each section a heading, how to reach the others after the first", () => {
    expect(briefingPart(task({}))).toBe(
      [
        '## Your role in the team',
        '',
        'You are **agent1**, the lead of this team.',
        '',
        'You also organise the work.',
        '',
        'You can message your teammate at any time (see Messaging).',
        '',
        '## Task list',
        '',
        'The team shares a task list.',
        '- `coop-task-list`: every task.',
        '',
        '## Scratchpad',
        '',
        '`/workspace/shared` is shared.',
      ].join('\n'),
    )
  })

  it("says what this run lacks and offers, and keeps the pair's rule on bringing in a teammate's work", () => {
    const text = task({ peers: ['agent2', 'agent3'], mailbox: null, git: { remote: 'team', url: 'file:///team.git' } })
    expect(briefingPart(text)).toContain(
      'You also organise the work.\n\nIn this run there is no way to send messages to your teammates.\n\n' +
        'A shared git remote, `team`, shows the actual changes of your teammates (see Shared git remote).\n\n## Task list',
    )
    expect(text).toContain('so anything you bring in from a teammate would appear twice and break the final merge.')
    expect(text).not.toContain('## Your situation')
  })

  it('without a briefing a pair keeps its situation; an agent alone is shown the sections, not how to reach anyone', () => {
    expect(briefingPart(task({}, []))).toMatch(/^## Your situation\n\nYou are \*\*agent1\*\*\. Your teammate is \*\*agent2\*\*\./)
    const alone = task({ agentId: 'solo', peers: [], mailbox: null }, SECTIONS.slice(1))
    expect(alone).toContain(
      '## Task list\n\nThe team shares a task list.\n- `coop-task-list`: every task.\n\n## Scratchpad\n\n`/workspace/shared` is shared.\n\n## Recommended workflow',
    )
    expect(alone).not.toMatch(/message|teammate/)
  })
})
