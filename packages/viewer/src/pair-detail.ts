import { featureAgentFiles, recordedSeats } from '@cooperbench/spec-utils/setting'
import { readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { ConversationEntry } from '@cooperbench/core'
import { type PairFolder, PairFiles, policyOf, readJsonChecked, readTrajectory, recordAgents } from '@cooperbench/results'
import { addTokens, analysedPairKey, pairKey, pairsWithUnknownCost, type StoredAnalysis } from '@cooperbench/report'
import type { AgentLane, FeatureTests, MessageEvent, PairAnalysisView, PairDetail, SoloTwin, Step, PairSummary } from './model.js'
import { fileTouches } from './file-touches.js'
import { markSharedFiles, overlappingHunks, parsePatch } from './patch-files.js'
import { judgedFeatureRecords, mergeOutcome, summarisePair, ZERO_TOKENS } from './pair-summary.js'
import { readTeamView } from './team-view.js'
import { timeOf } from './time-of.js'
import { failingLines } from './test-output.js'
import { type DeliveredMessage, parseTrajectory } from './trajectory-steps.js'

/** What the pair page shows from outside the pair folder: the run's analysis, the same pair in solo runs. */
export interface PairContext {
  analysis?: StoredAnalysis | null
  soloTwins?: SoloTwin[]
}

/** Everything the pair page shows, read from one pair folder (also while its agents still run). */
export async function loadPairDetail(logDir: string, run: string, pair: PairFolder, context: PairContext = {}, now = Date.now() / 1000): Promise<PairDetail> {
  const problems = [...pair.unreadable]
  const summary = summarisePair(logDir, run, pair, (await pairsWithUnknownCost([pair])).size > 0)
  const result = pair.result
  const parsed = await readLanes(pair, summary, problems)
  const lanes = parsed.map((p) => p.lane)
  const started = result ? Date.parse(result.started_at) / 1000 : Number.NaN
  const ended = result ? Date.parse(result.ended_at) / 1000 : Number.NaN
  const team = await readTeamView(pair, problems)
  const phases = (result?.phases ?? []).map((p) => ({ name: p.name, start: Date.parse(p.started_at) / 1000, end: Date.parse(p.ended_at) / 1000 }))
  // The task board's events and the phases lie on the same axis as the steps: it is widened to them.
  const boardTimes = (team?.events ?? []).flatMap((e) => (e.at === null ? [] : [e.at]))
  const phaseTimes = phases.flatMap((p) => [p.start, p.end]).filter(Number.isFinite)
  const { start, end } = timeAxis(lanes, started, ended, now, [...boardTimes, ...phaseTimes])
  for (const lane of lanes) spreadUntimedSteps(lane.steps, start, end)

  const conversation = await readJsonChecked<ConversationEntry[]>(join(pair.dir, PairFiles.conversation))
  if (conversation.problem) problems.push(`${PairFiles.conversation} ${conversation.problem}`)
  const messages = Array.isArray(conversation.value) ? fromConversation(conversation.value, parsed) : fromTrajectories(parsed)

  // Agents of one phase work side by side; a later phase's patch holds the earlier work, not a teammate's.
  const together = [...new Set(lanes.map((l) => l.phase))].map((phase) => lanes.filter((l) => l.phase === phase))
  return {
    summary: result ? summary : { ...summary, ...countedSoFar(lanes, messages) },
    start,
    end,
    lanes,
    phases,
    messages,
    sharedFiles: [...new Set(together.flatMap((group) => markSharedFiles(group.map((l) => l.patch))))].sort(),
    fileTouches: fileTouches(lanes),
    overlaps: together.flatMap((group) => overlappingHunks(group.map((l) => ({ agent: l.id, patch: l.patch })))),
    merge: mergeView(pair.eval),
    tests: featureTests(pair.eval),
    evalError: pair.eval?.error ?? null,
    problems,
    analysis: pairAnalysis(context.analysis ?? null, pair),
    soloTwins: context.soloTwins ?? [],
    team,
  }
}

/** An agent's lane of the timeline, with the messages its trajectory says it read. */
interface ParsedLane {
  lane: AgentLane
  delivered: DeliveredMessage[]
}

/** Each team member's lane: its trajectory (or journal, while it runs) parsed, its patch; what cannot be read goes to `problems`. */
async function readLanes(pair: PairFolder, summary: PairSummary, problems: string[]): Promise<ParsedLane[]> {
  const result = pair.result
  const parsed: ParsedLane[] = []
  const records = new Map(result ? recordAgents(result) : [])
  const phased = new Map((result?.phases ?? []).flatMap((phase) => phase.seats.map((seat) => [seat.agent_id, { phase: phase.name, ...seat }])))
  for (const member of teamMembers(pair)) {
    // A running (or killed) agent's trajectory is its journal.
    const trajectory = await readTrajectory(pair.dir, member.trajectoryFile)
    if (trajectory.problem) problems.push(`${member.trajectoryFile} ${trajectory.problem}`)
    const { steps, delivered, exit } = parseTrajectory(trajectory.value?.messages)
    const record = summary.agents.find((a) => a.id === member.id)
    const seat = phased.get(member.id)
    parsed.push({
      delivered,
      lane: {
        id: member.id,
        featureIds: member.featureIds,
        status: record?.status ?? exit?.status ?? null,
        error: records.get(member.id)?.error ?? null,
        steps,
        exit: exit?.text ?? null,
        patch: parsePatch((await readText(join(pair.dir, member.patchFile))) ?? ''),
        systemPrompt: firstContent(trajectory.value?.messages, 'system'),
        task: firstContent(trajectory.value?.messages, 'user'),
        trajectoryFile: member.trajectoryFile,
        phase: seat?.phase ?? null,
        role: seat?.role ?? null,
        startedFrom: seat?.started_from ?? null,
        artifact: seat?.artifact ? await readArtifact(pair.dir, seat.artifact, problems) : null,
      },
    })
  }
  return parsed
}

/** Each judged feature's tests after the merge, failed ones first. */
function featureTests(evalRecord: PairFolder['eval']): FeatureTests[] {
  return judgedFeatureRecords(evalRecord)
    .map(({ key, featureId, record }) => ({
      featureId,
      key,
      passed: record.passed,
      exitCode: record.exit_code,
      testsPassed: record.tests_passed,
      testsFailed: record.tests_failed,
      failing: record.passed ? [] : failingLines(record.test_output ?? ''),
      output: record.test_output ?? '',
    }))
    .sort((a, b) => Number(a.passed) - Number(b.passed))
}

/** How the evaluation merged the patches; null before an evaluation that merged. */
function mergeView(evalRecord: PairFolder['eval']): PairDetail['merge'] {
  return evalRecord?.merge
    ? {
        status: evalRecord.merge.status,
        strategy: evalRecord.merge.strategy,
        policy: policyOf(evalRecord),
        outcome: mergeOutcome(evalRecord.merge, evalRecord.error),
        diff: parsePatch(evalRecord.merge.diff ?? ''),
        applyStatus: evalRecord.apply_status ?? {},
      }
    : null
}

/** A running pair has no result.json: its header counts the steps, messages, cost and tokens of the trajectories so far. */
function countedSoFar(lanes: AgentLane[], messages: MessageEvent[]): Pick<PairDetail['summary'], 'steps' | 'messages' | 'cost' | 'tokens' | 'costUnknown'> {
  const steps = lanes.flatMap((lane) => lane.steps)
  return {
    steps: steps.length,
    messages: messages.length,
    cost: Math.round(steps.reduce((sum, step) => sum + step.cost, 0) * 1e6) / 1e6,
    costUnknown: steps.some((step) => step.costUnknown),
    tokens: steps.reduce((sum, step) => addTokens(sum, step.tokens), { ...ZERO_TOKENS }),
  }
}

function pairAnalysis(analysis: StoredAnalysis | null, pair: PairFolder): PairAnalysisView | null {
  const key = pairKey(pair)
  const entry = analysis?.pairs.find((p) => analysedPairKey(p) === key)
  if (!analysis || !entry) return null
  return {
    judge: analysis.judge,
    category: entry.judgement?.category ?? null,
    reason: entry.judgement?.reason ?? null,
    evidence: entry.judgement?.evidence ?? [],
    judgeError: entry.judge_error ?? null,
    messagingStepShare: entry.signals.messaging_step_share,
  }
}

/** The text of a trajectory's first message with `role`, when it is text. */
function firstContent(messages: unknown, role: string): string | null {
  if (!Array.isArray(messages)) return null
  const found = messages.find((m): m is { content: unknown } => typeof m === 'object' && m !== null && (m as { role?: unknown }).role === role)
  return typeof found?.content === 'string' ? found.content : null
}

interface TeamMember {
  id: string
  featureIds: number[]
  trajectoryFile: string
  patchFile: string
}

/** Every agent of the pair with its files, as result.json names them (its phases', or upstream's names); one per feature before result.json is written. */
function teamMembers(pair: PairFolder): TeamMember[] {
  const recorded = pair.result ? recordedSeats(pair.result) : []
  const seats =
    recorded.length > 0
      ? recorded
      : pair.features.map((featureId, i) => ({ agentId: `agent${i + 1}`, featureIds: [featureId], ...featureAgentFiles(featureId) }))
  return seats.map((seat) => ({ id: seat.agentId, featureIds: seat.featureIds, trajectoryFile: seat.trajectory, patchFile: seat.patch }))
}

/** From the pair's start to its end (or now, while it runs), widened to every timed step and to `more` (the task board's events). */
function timeAxis(lanes: AgentLane[], started: number, ended: number, now: number, more: number[] = []): { start: number; end: number } {
  const times = [...lanes.flatMap((l) => l.steps.filter((s) => s.timed).flatMap((s) => [s.start, s.end])), ...more]
  let start = Math.min(...times, Number.isFinite(started) ? started : Infinity)
  let end = Math.max(...times, Number.isFinite(ended) ? ended : -Infinity)
  if (!Number.isFinite(start)) start = Number.isFinite(ended) ? ended - 1 : now - 1
  if (!Number.isFinite(end) || !Number.isFinite(ended)) end = Math.max(end, Number.isFinite(ended) ? ended : Math.min(now, start + 3600))
  if (end <= start) end = start + 1
  return { start, end }
}

/** Steps without timestamps (agents that record none) share the axis evenly, in order. */
function spreadUntimedSteps(steps: Step[], start: number, end: number): void {
  if (steps.length === 0 || steps.every((s) => s.timed)) return
  const width = (end - start) / steps.length
  steps.forEach((step, i) => {
    if (step.timed) return
    step.start = start + i * width
    step.end = start + (i + 1) * width * 0.9
  })
}

function fromConversation(entries: ConversationEntry[], parsed: ParsedLane[]): MessageEvent[] {
  const used = new Set<DeliveredMessage>()
  return entries.map((entry) => {
    const reader = parsed.find((p) => p.lane.id === entry.to)
    const note = reader?.delivered.find(
      (d) => !used.has(d) && d.from === entry.from && (d.text === entry.message || (d.reply && d.text.startsWith(`${entry.message}\n`))),
    )
    if (note) used.add(note)
    return { from: entry.from, to: entry.to, text: entry.message, sentAt: timeOf(entry.timestamp), readAt: note?.at ?? null }
  })
}

/** While a pair runs there is no conversation.json yet: messages as their readers saw them, sent at the sender's step that sent them. */
function fromTrajectories(parsed: ParsedLane[]): MessageEvent[] {
  const usedSends = new Set<string>()
  const events: MessageEvent[] = []
  for (const { lane, delivered } of parsed) {
    for (const note of delivered) {
      const sender = parsed.find((p) => p.lane.id === note.from)?.lane
      const step = sender?.steps.find((s) => s.sends.includes(lane.id) && !usedSends.has(`${sender.id}:${s.index}:${lane.id}`))
      if (step) usedSends.add(`${sender!.id}:${step.index}:${lane.id}`)
      events.push({ from: note.from, to: lane.id, text: note.text, sentAt: step?.end ?? null, readAt: note.at })
    }
  }
  return events.sort((a, b) => (a.sentAt ?? a.readAt ?? 0) - (b.sentAt ?? b.readAt ?? 0))
}

/** A seat's artifact, a file of the pair folder as result.json names it (never a path out of the folder). */
async function readArtifact(dir: string, file: string, problems: string[]): Promise<AgentLane['artifact']> {
  if (basename(file) !== file) {
    problems.push(`result.json names the artifact ${JSON.stringify(file)}, which is not a file of the pair folder: not read`)
    return { file, text: null }
  }
  return { file, text: await readText(join(dir, file)) }
}

const readText = (path: string) => readFile(path, 'utf8').catch(() => null)
