import { describe, expect, it } from 'vitest'
import { type AtifTrajectory, atifProblems } from '../../src/index.js'

/** A small valid ATIF-v1.7 trajectory: a user step, an agent step with a tool call and its result, an embedded subagent. */
function valid(): AtifTrajectory {
  return {
    schema_version: 'ATIF-v1.7',
    session_id: 'run/coop/r_task/1/f1_f2',
    trajectory_id: 'run/coop/r_task/1/f1_f2/agent1',
    agent: { name: 'mini_swe_agent', version: '1', model_name: 'openai/m' },
    steps: [
      { step_id: 1, source: 'user', message: 'Implement feature 1.', timestamp: '2026-11-28T04:00:00.000Z' },
      {
        step_id: 2,
        source: 'agent',
        message: '',
        tool_calls: [{ tool_call_id: 'c1', function_name: 'bash', arguments: { command: 'ls' } }],
        observation: {
          results: [
            { source_call_id: 'c1', content: 'a.py' },
            { content: 'an action without a call', subagent_trajectory_ref: [{ trajectory_id: 'sub' }] },
          ],
        },
        metrics: { prompt_tokens: 10, completion_tokens: 2, cached_tokens: 0, cost_usd: 0.001 },
        llm_call_count: 1,
      },
    ],
    subagent_trajectories: [
      { schema_version: 'ATIF-v1.7', trajectory_id: 'sub', agent: { name: 'x', version: '1' }, steps: [{ step_id: 1, source: 'user', message: 'hi' }] },
    ],
  }
}

describe("ATIF-v1.7's rules (atifProblems, as Harbor's models check them)", () => {
  it('a valid trajectory has no problem', () => {
    expect(atifProblems(valid())).toEqual([])
  })

  it.each<[string, (t: AtifTrajectory) => void, RegExp]>([
    ['another schema version', (t) => Object.assign(t, { schema_version: 'ATIF-v1.6' }), /schema_version/],
    ['no agent version', (t) => delete (t.agent as Partial<AtifTrajectory['agent']>).version, /version/],
    ['no steps', (t) => (t.steps = []), /fewer than 1/],
    ['a key ATIF does not define', (t) => Object.assign(t.steps[0]!, { role: 'user' }), /additional properties/],
    ['a step without a message', (t) => delete (t.steps[0] as Partial<AtifTrajectory['steps'][0]>).message, /message/],
    ['an unknown source', (t) => Object.assign(t.steps[0]!, { source: 'tool' }), /allowed values/],
    ['step ids out of order', (t) => (t.steps[1]!.step_id = 3), /step_id 3, expected 2/],
    ['a timestamp that is not ISO 8601', (t) => (t.steps[0]!.timestamp = 'yesterday'), /not ISO 8601/],
    ['tool calls on a user step', (t) => (t.steps[0]!.tool_calls = []), /tool_calls on a user step/],
    ['metrics on a system step', (t) => Object.assign(t.steps[0]!, { source: 'system', metrics: {} }), /metrics on a system step/],
    ['metrics with llm_call_count 0', (t) => (t.steps[1]!.llm_call_count = 0), /metrics with llm_call_count 0/],
    ['a result naming no call of its step', (t) => (t.steps[1]!.observation!.results[0]!.source_call_id = 'c9'), /source_call_id c9/],
    ['a call id twice in a step', (t) => t.steps[1]!.tool_calls!.push({ tool_call_id: 'c1', function_name: 'bash', arguments: {} }), /appears twice/],
    ['tool call arguments that are not an object', (t) => Object.assign(t.steps[1]!.tool_calls![0]!, { arguments: 'ls' }), /arguments/],
    ['an embedded trajectory without trajectory_id', (t) => delete t.subagent_trajectories![0]!.trajectory_id, /needs a trajectory_id/],
    [
      'a ref to no embedded trajectory',
      (t) => (t.steps[1]!.observation!.results[1]!.subagent_trajectory_ref = [{ trajectory_id: 'gone' }]),
      /not among the embedded/,
    ],
    [
      'a ref with neither id nor path',
      (t) => (t.steps[1]!.observation!.results[1]!.subagent_trajectory_ref = [{ session_id: 's' }]),
      /trajectory_id or trajectory_path/,
    ],
    ['an invalid embedded trajectory', (t) => (t.subagent_trajectories![0]!.steps[0]!.step_id = 2), /subagent_trajectories\/0\/steps\/0: step_id 2/],
  ])('%s is a problem', (_name, spoil, problem) => {
    const trajectory = valid()
    spoil(trajectory)
    const problems = atifProblems(trajectory)
    expect(problems.join('\n')).toMatch(problem)
  })

  it('a ref to a file (trajectory_path) needs no embedded trajectory', () => {
    const trajectory = valid()
    trajectory.steps[1]!.observation!.results[1]!.subagent_trajectory_ref = [{ trajectory_id: 'elsewhere', trajectory_path: 'agent2.atif.json' }]
    expect(atifProblems(trajectory)).toEqual([])
  })
})
