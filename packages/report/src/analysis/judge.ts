import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type { ConversationEntry, EvalRecord } from '@cooperbench/spec'
import { featureVerdicts } from '@cooperbench/spec-utils/records'
import type { ValidateFunction } from 'ajv'
import type { AgentRecords, TrajectoryStep } from './signals.js'

/** The CooperBench paper's failure taxonomy: three capability gaps and failure for a reason that is not coordination. */
export const CATEGORIES = ['expectation', 'communication', 'commitment', 'no_coordination_failure'] as const
export type Category = (typeof CATEGORIES)[number]

/** Bumped whenever the prompt or the schema changes: cached judgements of another version are redone. */
export const JUDGE_PROMPT_VERSION = 'taxonomy-v1'

export interface Evidence {
  source: string
  quote: string
  /** Whether the quote occurs, verbatim, in what the judge was shown (a made-up quote is flagged, not trusted). */
  found: boolean
}

export interface Judgement {
  category: Category
  reason: string
  evidence: Evidence[]
}

/** What the judge reads for one failed coop pair. */
export interface JudgeInput {
  features: number[]
  eval: EvalRecord
  agents: AgentRecords[]
  conversation: ConversationEntry[]
}

/** The model call the judge needs: one system and one user message in, one tool call's arguments out. */
export type JudgeModel = (request: { system: string; user: string; tool: JudgeTool }) => Promise<{ toolArguments: string | null; text: string }>

export interface JudgeTool {
  name: string
  description: string
  parameters: Record<string, unknown>
}

const JUDGEMENT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['category', 'reason', 'evidence'],
  properties: {
    category: { type: 'string', enum: [...CATEGORIES] },
    reason: { type: 'string', minLength: 1, maxLength: 400 },
    evidence: {
      type: 'array',
      minItems: 1,
      maxItems: 5,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['source', 'quote'],
        properties: { source: { type: 'string', minLength: 1 }, quote: { type: 'string', minLength: 1, maxLength: 600 } },
      },
    },
  },
} as const

export const JUDGE_TOOL: JudgeTool = {
  name: 'record_judgement',
  description: "Record the single most likely cause of this pair's failure, a one-line reason and verbatim quotes as evidence.",
  parameters: JUDGEMENT_SCHEMA as unknown as Record<string, unknown>,
}

export const JUDGE_SYSTEM_PROMPT = [
  'You review a failed attempt by two coding agents working as teammates. Each agent implemented one feature of the same',
  "repository in its own copy; they could message each other; their patches were merged and both features' tests were run.",
  'Decide the single most likely cause of the failure, as one of:',
  "- expectation: an agent did not integrate its partner's state (ignored or overwrote what the partner said it changed,",
  '  assumed an interface or file layout the partner had not agreed to).',
  '- communication: a question went unanswered, information needed by the partner was never sent, or the exchange looped',
  '  without reaching a decision.',
  '- commitment: an agent broke a promise it made to its partner, or claimed work it did not do or that cannot be verified.',
  "- no_coordination_failure: the failure has nothing to do with working together (an agent's own feature is wrong or",
  "  missing, the tests fail for reasons inside one agent's work).",
  'Quote your evidence verbatim from the material you are given (messages, trajectories, patches, test output) and name',
  `where each quote comes from. Answer only by calling ${JUDGE_TOOL.name}.`,
].join('\n')

const LIMITS = { patch: 6000, trajectory: 6000, testOutput: 1500, message: 1000 }

/** The user message: the pair's merge, tests, conversation, patches and each agent's steps, each cut to a bound. */
export function judgeUserPrompt(input: JudgeInput): string {
  const parts: string[] = [`Features: ${input.features.join(' and ')}.`]
  const merge = input.eval.merge
  parts.push(`Merge: ${merge?.status ?? 'unknown'}${merge?.strategy ? ` (strategy ${merge.strategy})` : ''}.`)
  // A record numbers its verdicts by position (`feature1` is the pair's first feature), not by feature id.
  const verdicts = featureVerdicts(input.eval)
  for (const [i, id] of input.features.entries()) {
    const feature = verdicts.find((v) => v.feature_id === id) ?? verdicts[i]
    parts.push(`## Tests of feature ${id}: ${feature?.passed ? 'passed' : 'failed'}\n${tail(feature?.test_output ?? '', LIMITS.testOutput)}`)
  }
  parts.push(
    `## Conversation (${input.conversation.length} messages)\n` +
      (input.conversation.map((m) => `[${m.from} -> ${m.to}] ${head(m.message, LIMITS.message)}`).join('\n') || '(no messages)'),
  )
  for (const agent of input.agents) {
    parts.push(`## Patch of ${agent.agentId} (feature ${agent.featureId})\n${head(agent.patch, LIMITS.patch) || '(empty)'}`)
    parts.push(`## Steps of ${agent.agentId}\n${tail(renderSteps(agent.trajectory), LIMITS.trajectory) || '(none)'}`)
  }
  return parts.join('\n\n')
}

function renderSteps(trajectory: TrajectoryStep[]) {
  const lines: string[] = []
  for (const step of trajectory) {
    if (step.role !== 'assistant') continue
    const text = typeof step.content === 'string' ? step.content.trim() : ''
    const commands = (step.extra?.actions ?? []).map((a) => a.command ?? '').filter(Boolean)
    const calls = commands.length > 0 ? commands : (step.tool_calls ?? []).map((c) => `${c.function?.name ?? '?'} ${c.function?.arguments ?? ''}`)
    lines.push([text, ...calls.map((c) => `$ ${c}`)].filter(Boolean).join('\n'))
  }
  return lines.join('\n')
}

const head = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max)}\n[… ${text.length - max} more characters]`)
const tail = (text: string, max: number) => (text.length <= max ? text : `[… ${text.length - max} earlier characters]\n${text.slice(-max)}`)

/** The content hash a judgement is cached under: the prompt version, the model and everything the judge reads. */
export function judgeInputHash(model: string, user: string): string {
  return createHash('sha256')
    .update(JSON.stringify([JUDGE_PROMPT_VERSION, model, JUDGE_SYSTEM_PROMPT, user]))
    .digest('hex')
}

/** Compiled on first use: every command that imports this package (`run` among them) would pay for it at start. */
let validateJudgement: ValidateFunction | undefined

/** The answer checked against the schema (throws its complaints), each quote marked with whether it occurs in what the judge saw. */
export function parseJudgement(toolArguments: string | null, shown: string): Judgement {
  if (toolArguments === null) throw new Error(`the model did not call ${JUDGE_TOOL.name}`)
  let value: unknown
  try {
    value = JSON.parse(toolArguments)
  } catch {
    throw new Error(`the arguments of ${JUDGE_TOOL.name} are not JSON: ${toolArguments.slice(0, 200)}`)
  }
  // ajv (some 70 modules) is loaded by the first judgement, not by every command that imports the report package.
  validateJudgement ??= new (createRequire(import.meta.url)('ajv') as typeof import('ajv')).Ajv({ allErrors: true }).compile(JUDGEMENT_SCHEMA)
  if (!validateJudgement(value)) {
    const problems = (validateJudgement.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim())
    throw new Error(`the judgement does not fit its schema: ${problems.join('; ')}`)
  }
  const judged = value as { category: Category; reason: string; evidence: Array<{ source: string; quote: string }> }
  const normalise = (text: string) => text.replace(/\s+/g, ' ').trim()
  const haystack = normalise(shown)
  return {
    category: judged.category,
    reason: judged.reason,
    evidence: judged.evidence.map((e) => ({ source: e.source, quote: e.quote, found: haystack.includes(normalise(e.quote)) })),
  }
}
