import { ATIF_SCHEMA_VERSION, type AtifMetrics, type AtifStep, type AtifTrajectory } from './atif.js'
import type { ExportedAgent } from './exported-agent.js'
import type { RecordedTurn } from './recorded-turns.js'
import { argumentsObject, toolDefinitionsOf } from './tool-definitions.js'

/**
 * An agent's trajectory as ATIF-v1.7: a step per message (`system`, `user`, or `agent`: a model turn with tool calls and `metrics`); a tool
 * result joins the observation of the step it answers (the oracle's model-free actions are agent steps with `llm_call_count: 0`). What ATIF
 * lacks is in `extra.cooperbench` (pair, setting, role, features, verdicts, messages, its setting's keys and events, ending). A pair's
 * agents share `session_id`; the agent its setting names the coordinator (the team's lead) links the others as delegated agents (a
 * `system` step with a `subagent_trajectory_ref` per agent).
 */
export function toAtif(agent: ExportedAgent): AtifTrajectory {
  const steps: AtifStep[] = []
  const add = (step: Omit<AtifStep, 'step_id'>) => {
    steps.push({ step_id: steps.length + 1, ...step })
    return steps.at(-1)!
  }
  if (agent.coordinates) add(coordinatorStep(agent))
  for (const turn of agent.recorded.turns) {
    if (turn.role === 'tool') {
      addResult(steps, turn, add)
      continue
    }
    const timestamp = turn.timestamp === null ? {} : { timestamp: new Date(turn.timestamp * 1000).toISOString() }
    const extra = stepExtra(turn)
    if (turn.role !== 'assistant') {
      add({ source: turn.role, message: turn.content, ...timestamp, ...(extra ? { extra } : {}) })
      continue
    }
    const metrics = metricsOf(turn)
    add({
      source: 'agent',
      message: turn.content,
      ...timestamp,
      ...(turn.toolCalls.length > 0
        ? { tool_calls: turn.toolCalls.map((call) => ({ tool_call_id: call.id, function_name: call.name, arguments: argumentsObject(call.arguments) })) }
        : {}),
      ...(metrics ? { metrics } : {}),
      ...(turn.modelCalls > 0 ? { llm_call_count: turn.modelCalls } : {}),
      ...(extra ? { extra } : {}),
    })
  }
  const calls = agent.recorded.turns.flatMap((turn) => turn.toolCalls)
  const s = agent.summary
  // Unknown (a model call without a price) is left out, never 0; older records say so only in the trajectory's marks. The
  // oracle's 0 is known: it calls no model (no model_name, model_calls 0).
  const costKnown = s.cost_unknown !== true && !agent.recorded.turns.some((turn) => turn.marks.includes('cost_unknown'))
  return {
    schema_version: ATIF_SCHEMA_VERSION,
    session_id: agent.sessionId,
    trajectory_id: agent.trajectoryId,
    agent: {
      name: agent.framework,
      version: agent.version,
      ...(agent.model ? { model_name: agent.model } : {}),
      ...(calls.length > 0 ? { tool_definitions: toolDefinitionsOf(calls) as unknown as Array<Record<string, unknown>> } : {}),
      extra: { cooperbench: { prompt_source: agent.promptSource, ...(agent.recorded.cli ? { cli: agent.recorded.cli } : {}) } },
    },
    steps: steps.length > 0 ? steps : [{ step_id: 1, source: 'system', message: 'The agent recorded no message.' }],
    notes:
      `Converted by cooperbench from ${agent.trajectoryFile} of ${agent.sessionId}: a step per recorded message (an agent's ` +
      "consecutive replies are one model turn); final_metrics are result.json's totals for the agent, whose model calls are final_metrics.extra.model_calls.",
    final_metrics: {
      total_prompt_tokens: s.input_tokens + s.cache_read_tokens + s.cache_write_tokens,
      total_completion_tokens: s.output_tokens,
      total_cached_tokens: s.cache_read_tokens,
      ...(costKnown ? { total_cost_usd: s.cost } : {}),
      total_steps: Math.max(steps.length, 1),
      // An agent without a model (the oracle) records its actions as steps: it called no model.
      extra: { model_calls: agent.model === null ? 0 : s.steps, ...(costKnown ? {} : { cost_unknown: true }) },
    },
    extra: { cooperbench: agent.metadata },
  }
}

/** The coordinator's first step: the agents it works with, each one's trajectory referenced as ATIF references delegated agents. */
function coordinatorStep(agent: ExportedAgent): Omit<AtifStep, 'step_id'> {
  const label = (t: { agent_id: string; role: string; features: number[] }) => `${t.agent_id} (${t.role}, feature ${t.features.join(', ')})`
  const all = [{ agent_id: agent.agentId, role: agent.role, features: agent.features }, ...agent.teammates]
  return {
    source: 'system',
    message: `The pair's ${all.length} agents: ${all.map(label).join('; ')}.`,
    observation: {
      results: agent.teammates.map((other) => ({
        content: label(other),
        subagent_trajectory_ref: [{ trajectory_id: other.trajectory_id, trajectory_path: other.trajectory_path, session_id: agent.sessionId }],
      })),
    },
    extra: { cooperbench_coordinator: true },
  }
}

/** A tool result joins the step holding its call; without one, the last agent step, or a step of its own made without a model. */
function addResult(steps: AtifStep[], turn: RecordedTurn, add: (step: Omit<AtifStep, 'step_id'>) => AtifStep) {
  const id = turn.toolCallId
  const owner = id === undefined ? undefined : steps.findLast((step) => step.tool_calls?.some((call) => call.tool_call_id === id))
  const extra = stepExtra(turn)
  const result = {
    content: turn.content,
    ...(owner ? { source_call_id: id } : {}),
    ...(extra || (id && !owner) ? { extra: { ...extra, ...(owner ? {} : { tool_call_id: id }) } } : {}),
  }
  const last = steps.at(-1)
  const target = owner ?? (last?.source === 'agent' ? last : add({ source: 'agent', message: '', llm_call_count: 0 }))
  target.observation ??= { results: [] }
  target.observation.results.push(result)
}

/** The turn's tokens and cost, and the token ids its server returned (mini-SWE's `capture_token_ids`) in ATIF's own fields. */
function metricsOf(turn: RecordedTurn): AtifMetrics | null {
  if (!turn.usage && turn.cost === null && !turn.tokenIds) return null
  const u = turn.usage
  return {
    ...(u ? { prompt_tokens: u.input + u.cacheRead + u.cacheWrite, completion_tokens: u.output, cached_tokens: u.cacheRead } : {}),
    ...(turn.cost !== null && !turn.marks.includes('cost_unknown') ? { cost_usd: turn.cost } : {}),
    ...turn.tokenIds,
  }
}

/** What ATIF has no field for: a delivered teammate message, the agent's marks. */
function stepExtra(turn: RecordedTurn): Record<string, unknown> | null {
  const extra: Record<string, unknown> = {}
  if (turn.teammate) extra['teammate_message'] = { from: turn.teammate.from }
  for (const mark of turn.marks) extra[mark] = true
  return Object.keys(extra).length > 0 ? extra : null
}
