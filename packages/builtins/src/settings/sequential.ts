import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CooperbenchError, type Registration, type Seat, type SeatOutcome, type Setting, type SettingPair, type SettingPreflight } from '@cooperbench/spec'
import { countPatchLines } from '@cooperbench/spec-utils/patch'
import { featureAgentFiles, totals } from '@cooperbench/spec-utils/setting'
import { checkFile, type GuardReport, type HandoffSide, handoffRecord, runGuard, withoutChecks } from './sequential-guard.js'

/** The sequential setting's options (`settings.sequential`). */
export interface SequentialOptions {
  /** The report's regression guard: each agent leaves a check in `.cb_checks/`, later agents keep it passing. */
  guard: boolean
  /** Who goes first: the lowest feature (`ascending`, the report's order) or the highest. */
  order: 'ascending' | 'descending'
  /** Later agents are shown the earlier features' hidden tests (their `tests.patch`) to keep passing. */
  hiddenTests: boolean
}

const OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    guard: { type: 'boolean', default: true, description: 'The regression guard: each agent leaves a check in .cb_checks/, later ones keep it passing.' },
    order: {
      type: 'string',
      enum: ['ascending', 'descending'],
      default: 'ascending',
      description: 'Hand-off order: the lowest feature first, or the highest.',
    },
    hiddenTests: { type: 'boolean', default: false, description: "Show later agents the earlier features' tests.patch (the grader's tests)." },
  },
} as const

const FIX = 'If one fails because of your change, fix your code, not the check.'

/** The judged file: the last agent's patch, cumulative, without the checks. */
const FINAL_PATCH = 'sequential.patch'

/**
 * The CooperAgents report (2026-06-08; no upstream version): an agent per feature in turn, each in a fresh sandbox with the previous
 * patch committed (with the guard, each leaves a check). The last patch holds every feature's work and is judged as solo's.
 */
export function sequentialSetting(options: SequentialOptions): Setting {
  return {
    specificationVersion: 'setting-v1',
    name: 'sequential',
    shape: () => ({
      peers: false,
      agents: (features) => features,
      messaging: false,
      git: false,
      nameParts: [
        ...(options.guard ? [] : ['no-guard']),
        ...(options.order === 'ascending' ? [] : [options.order]),
        ...(options.hiddenTests ? ['hidden-tests'] : []),
      ],
      record: { sequential: recorded(options) },
    }),
    preflight: refuseOwnSubmissions,
    run: (pair) => runInTurn(pair, options),
    judged: () => ({ rule: 'single', patch: { file: FINAL_PATCH, owner: 'the last agent', recordedLines: finalLines } }),
  }
}

/**
 * The hand-off passes each agent's work on as the diff of its tree from the base commit, and the last one is judged. An agent that
 * follows upstream's protocol submits its own patch instead (mini_swe_agent's `patch.txt` or pull request, swe_agent's stripped
 * diff, claude_code's reference protocol): written against the work it was handed, not the base, so it could be neither handed on
 * nor judged as the cumulative patch. Refused before any pair, rather than a pair judged on part of its work.
 */
function refuseOwnSubmissions(run: SettingPreflight): void {
  const own = run.agents.find((agent) => agent.promptSource.startsWith('reference-'))
  if (own === undefined) return
  throw new CooperbenchError(
    'CONFIG_INVALID',
    `the sequential setting cannot seat ${own.name} with upstream's protocol (${own.promptSource.split(':')[0]}): it submits its own patch, written against the work it was handed, and the hand-off judges the cumulative diff from the base commit`,
    {
      hint: "Run the sequential setting with an agent on cooperbench's own prompts (mini_swe_agent without a reference --agent-config, claude_code or codex without protocol: reference); swe_agent and reference configurations run in solo, coop and team.",
    },
  )
}

async function runInTurn(pair: SettingPair, options: SequentialOptions) {
  const order = options.order === 'ascending' ? [...pair.features] : [...pair.features].reverse()
  const outcomes: SeatOutcome[] = []
  const handoffs: Array<ReturnType<typeof handoffRecord>> = []
  // The latest seat's work and guard findings, unless the harness failed that seat (its tree lost, not by its agent); empty hands on the base.
  let handed: HandoffSide | undefined
  for (const [i, featureId] of order.entries()) {
    const agentId = `agent${i + 1}`
    const from = handed
    const seat: Seat = {
      agentId,
      featureIds: [featureId],
      instructions: await instructions(pair, options, order, i, from),
      files: featureAgentFiles(featureId),
      trajectoryHeader: { feature_id: featureId, agent_id: agentId },
      ...(from === undefined ? {} : { startFrom: { patch: from.patch, agent: from.agent } }),
      after: (sandbox, _outcome, signal) => runGuard(sandbox, signal),
    }
    const [outcome] = await pair.runSeats([seat], `feature ${featureId}`)
    const { patch, result, after } = outcome!
    const report = after as GuardReport | undefined
    outcomes.push(outcome!)
    if (from !== undefined) handoffs.push(handoffRecord(from, { agent: agentId, patch, report }))
    if (result.failure !== 'infra') handed = patch === '' ? undefined : { agent: agentId, patch, report }
  }
  const judged = withoutChecks(handed?.patch ?? '')
  await pair.writeFile(FINAL_PATCH, judged)
  const agents = Object.fromEntries(outcomes.map((o) => [o.agentId, { feature_id: o.featureIds[0], ...o.record }]))
  const final = { agent: handed?.agent ?? null, patch: FINAL_PATCH, patch_lines: countPatchLines(judged), checks: handed?.report?.checks ?? {} }
  const record = { agents, ...totals(outcomes), handoffs, final }
  return { record, messaging: false, git: false, recordTail: { sequential: recorded(options) } }
}

/** A seat's task: its feature, where it stands in the hand-off, and (with the guard) the checks to keep and to leave. */
async function instructions(pair: SettingPair, options: SequentialOptions, order: number[], i: number, from: HandoffSide | undefined) {
  const featureId = order[i]!
  const last = i === order.length - 1
  const turn = [
    `You are agent${i + 1} of ${order.length}: the agents implement the features one after another, each in a fresh copy of the repository.`,
    from !== undefined
      ? `${from.agent} handed its work over to you: it is committed in this repository (\`git show HEAD\`), with the work of ` +
        'the agents before it. Build on it: reuse what it added, and do not undo or break it.'
      : i > 0 && 'The agents before you left no work: you start from the base commit.',
    last ? 'You are the last: your work is judged against every feature.' : `When you submit, your work is handed over the same way to agent${i + 2}.`,
    'Implement only your own feature.',
  ]
  const parts = [await pair.featureText(featureId), `## Working in turn\n\n${turn.filter(Boolean).join(' ')}`]
  const stateOf = (id: number) => from?.report?.checks[`f${id}`] ?? (from?.report?.error === undefined ? 'missing' : 'not run')
  const earlier = order.slice(0, i).map((id) => `- \`bash ${checkFile(id)}\` (${stateOf(id)} when handed over)`)
  if (options.guard && earlier.length > 0) {
    const keep = 'Run them before you change anything and again before you submit: they must all pass when you are done.'
    parts.push(`## Checks to keep passing\n\nEach earlier agent left a check of its feature:\n\n${earlier.join('\n')}\n\n${keep} ${FIX}`)
  }
  if (options.guard) {
    const later = last ? '' : ', later agents must keep yours passing,'
    parts.push(
      `## Leave a check of your feature\n\nBefore you submit, write \`${checkFile(featureId)}\`: a short bash script that exercises your feature ` +
        'as a user would (it may call python3, node, go, ...) and exits non-zero when the feature is broken. Run it and see it pass. ' +
        `The harness runs every check after you${later} and the grader never sees \`.cb_checks/\`.`,
    )
  }
  if (options.hiddenTests && i > 0) parts.push(await hiddenTests(pair, order.slice(0, i)))
  return parts.join('\n\n')
}

/** The earlier features' `tests.patch`, which the grader runs and agents are otherwise never shown. */
async function hiddenTests(pair: SettingPair, featureIds: number[]): Promise<string> {
  const texts = await Promise.all(
    featureIds.map(async (id) => {
      const feature = pair.task.features.find((f) => f.id === id)
      const tests = feature === undefined ? '' : await readFile(join(feature.dir, 'tests.patch'), 'utf8').catch(() => '')
      return `### Feature ${id}\n\n\`\`\`diff\n${tests.trimEnd()}\n\`\`\``
    }),
  )
  const intro = 'The grader judges the earlier features with these tests. They must still pass with your changes; you may apply them'
  return `## The grader's tests of the earlier features\n\n${intro} to try them, but leave them out of your work.\n\n${texts.join('\n\n')}`
}

/** The options as config.json, the fingerprint and result.json record them. */
const recorded = (options: SequentialOptions) => ({ guard: options.guard, order: options.order, hidden_tests: options.hiddenTests })

function finalLines(result: Record<string, unknown>): number | null {
  const lines = (result['final'] as { patch_lines?: unknown } | undefined)?.patch_lines
  return typeof lines === 'number' ? lines : null
}

/** The registration of setting `sequential`: `api.setting(sequentialSettingRegistration)`. */
export const sequentialSettingRegistration = {
  name: 'sequential',
  specificationVersion: 'setting-v1',
  description: "One agent per feature, one after another, each from the previous one's committed work, with a regression guard (CooperAgents report)",
  optionsSchema: OPTIONS_SCHEMA,
  spellings: {
    guard: { offFlag: 'sequential-no-guard', env: 'COOPERBENCH_SEQUENTIAL_GUARD', help: 'The bare hand-off: no checks asked for in .cb_checks/.' },
    order: { flag: 'sequential-order', env: 'COOPERBENCH_SEQUENTIAL_ORDER' },
    hiddenTests: { flag: 'sequential-hidden-tests', env: 'COOPERBENCH_SEQUENTIAL_HIDDEN_TESTS' },
  },
  create: ({ options }) =>
    sequentialSetting({
      guard: options['guard'] !== false,
      order: options['order'] === 'descending' ? 'descending' : 'ascending',
      hiddenTests: options['hiddenTests'] === true,
    }),
} satisfies Omit<Registration<'setting'>, 'kind'>
