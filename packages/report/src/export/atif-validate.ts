import { createRequire } from 'node:module'
import type { ValidateFunction } from 'ajv'
import { ATIF_SCHEMA_VERSION, type AtifStep, type AtifTrajectory } from './atif.js'

/** ATIF-v1.7's rules as Harbor's Pydantic validator checks them (closed objects, typed fields, cross-field rules); each problem as `path: what`. */
export function atifProblems(document: unknown): string[] {
  validateShape ??= new (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv({ allErrors: true, strict: false }).compile(TRAJECTORY_SCHEMA)
  if (!validateShape(document)) return (validateShape.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`)
  return crossFieldProblems(document as AtifTrajectory, '')
}

let validateShape: ValidateFunction | undefined

const extra = { type: 'object' }
const text = { type: 'string' }
const count = { type: 'integer', minimum: 0 }
const closed = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required })

const SUBAGENT_REF = closed({ trajectory_id: text, session_id: text, trajectory_path: text, extra })
const STEP = closed(
  {
    step_id: { type: 'integer', minimum: 1 },
    timestamp: text,
    source: { enum: ['system', 'user', 'agent'] },
    model_name: text,
    reasoning_effort: { type: ['string', 'number'] },
    message: text,
    reasoning_content: text,
    tool_calls: {
      type: 'array',
      items: closed({ tool_call_id: text, function_name: text, arguments: extra, extra }, ['tool_call_id', 'function_name', 'arguments']),
    },
    observation: closed(
      {
        results: {
          type: 'array',
          items: closed({ source_call_id: text, content: text, subagent_trajectory_ref: { type: 'array', items: SUBAGENT_REF }, extra }),
        },
      },
      ['results'],
    ),
    metrics: closed({
      prompt_tokens: count,
      completion_tokens: count,
      cached_tokens: count,
      cost_usd: { type: 'number' },
      prompt_token_ids: { type: 'array', items: { type: 'integer' } },
      completion_token_ids: { type: 'array', items: { type: 'integer' } },
      logprobs: { type: 'array', items: { type: 'number' } },
      extra,
    }),
    is_copied_context: { type: 'boolean' },
    llm_call_count: count,
    extra,
  },
  ['step_id', 'source', 'message'],
)

/** Harbor's models as JSON Schema; `subagent_trajectories` holds whole trajectories (`$ref: '#'`). */
const TRAJECTORY_SCHEMA = closed(
  {
    schema_version: { const: ATIF_SCHEMA_VERSION },
    session_id: text,
    trajectory_id: text,
    agent: closed({ name: text, version: text, model_name: text, tool_definitions: { type: 'array', items: { type: 'object' } }, extra }, ['name', 'version']),
    steps: { type: 'array', minItems: 1, items: STEP },
    notes: text,
    final_metrics: closed({
      total_prompt_tokens: count,
      total_completion_tokens: count,
      total_cached_tokens: count,
      total_cost_usd: { type: 'number' },
      total_steps: count,
      extra,
    }),
    continued_trajectory_ref: text,
    extra,
    subagent_trajectories: { type: 'array', items: { $ref: '#' } },
  },
  ['schema_version', 'agent', 'steps'],
)

/** Fields only an agent step may carry (a user or system step with one is invalid). */
const AGENT_ONLY = ['model_name', 'reasoning_effort', 'reasoning_content', 'tool_calls', 'metrics'] as const

/** The rules between fields, for the trajectory at `path` and the ones it embeds. */
function crossFieldProblems(trajectory: AtifTrajectory, path: string) {
  const problems: string[] = []
  const embedded = new Set<string>()
  for (const [i, sub] of (trajectory.subagent_trajectories ?? []).entries()) {
    const at = `${path}/subagent_trajectories/${i}`
    if (sub.trajectory_id === undefined) problems.push(`${at}: an embedded trajectory needs a trajectory_id`)
    else if (embedded.has(sub.trajectory_id)) problems.push(`${at}: trajectory_id ${sub.trajectory_id} is not unique among the embedded trajectories`)
    else embedded.add(sub.trajectory_id)
    problems.push(...crossFieldProblems(sub, at))
  }
  for (const [i, step] of trajectory.steps.entries()) problems.push(...stepProblems(step, i, `${path}/steps/${i}`, embedded))
  return problems
}

function stepProblems(step: AtifStep, index: number, at: string, embedded: ReadonlySet<string>) {
  const problems: string[] = []
  if (step.step_id !== index + 1) problems.push(`${at}: step_id ${step.step_id}, expected ${index + 1} (sequential from 1)`)
  if (step.timestamp !== undefined && !isIsoTimestamp(step.timestamp)) problems.push(`${at}: timestamp ${step.timestamp} is not ISO 8601`)
  if (step.source !== 'agent') {
    for (const field of AGENT_ONLY) if (step[field] !== undefined) problems.push(`${at}: ${field} on a ${step.source} step (agent steps only)`)
  } else if (step.llm_call_count === 0) {
    for (const field of ['metrics', 'reasoning_content'] as const) if (step[field] !== undefined) problems.push(`${at}: ${field} with llm_call_count 0`)
  }
  const callIds = new Set<string>()
  for (const call of step.tool_calls ?? []) {
    if (callIds.has(call.tool_call_id)) problems.push(`${at}: tool_call_id ${call.tool_call_id} appears twice`)
    callIds.add(call.tool_call_id)
  }
  for (const [r, result] of (step.observation?.results ?? []).entries()) {
    if (result.source_call_id !== undefined && !callIds.has(result.source_call_id)) {
      problems.push(`${at}/observation/results/${r}: source_call_id ${result.source_call_id} is no tool call of this step`)
    }
    for (const ref of result.subagent_trajectory_ref ?? []) {
      if (!ref.trajectory_id?.trim() && !ref.trajectory_path?.trim())
        problems.push(`${at}/observation/results/${r}: a subagent ref needs trajectory_id or trajectory_path`)
      else if (!ref.trajectory_path && !embedded.has(ref.trajectory_id!)) {
        problems.push(`${at}/observation/results/${r}: subagent ref ${ref.trajectory_id} is not among the embedded trajectories`)
      }
    }
  }
  return problems
}

/** ISO 8601 as Python's `datetime.fromisoformat` (Harbor's check) reads it: a date, a time, an optional offset or `Z`. */
function isIsoTimestamp(text: string) {
  return /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) && !Number.isNaN(Date.parse(text))
}
