import type { Seat, SeatCoordination } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { seatAsTaken } from '../../src/runner/seat-as-taken.js'

const coordination: SeatCoordination = {
  briefing: { sections: [{ title: 'Your role', body: 'LEAD agent1.' }], upstream: 'LEAD agent1 of agent1, agent2.' },
  tools: [{ kind: 'command', name: 'coop-task-list', description: 'List the tasks.', run: async () => ({ exitCode: 0, output: '' }) }],
  status: async () => '[Team task list] 1 open',
  env: { CB_TEAM_AGENT_ID: 'agent1' },
  mounts: [{ hostPath: '/tmp/scratchpad', sandboxPath: '/workspace/shared', kind: 'folder' }],
  waitForMessages: { declaration: null },
}
const seat: Seat = { agentId: 'agent1', featureIds: [1], instructions: 'Do feature 1.', coordination } as Seat

describe('the seat as its agent takes it', () => {
  it('gives an agent that takes only its briefing the briefing alone: no commands, variables, scratchpad, status or wait tool', () => {
    expect(seatAsTaken(seat, { briefingOnly: true }).coordination).toEqual({ briefing: coordination.briefing })
    expect(seatAsTaken({ ...seat, coordination: { env: { CB_TEAM_AGENT_ID: 'agent1' } } }, { briefingOnly: true }).coordination).toEqual({})
  })

  it('gives any other agent the whole surface', () => {
    expect(seatAsTaken(seat, { briefingOnly: false })).toBe(seat)
    expect(seatAsTaken(seat, {})).toBe(seat)
  })
})
