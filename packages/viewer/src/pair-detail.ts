import { featureAgentFiles, type RecordedSeat, recordedSeats } from '@cooperbench/spec-utils/setting'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ConversationEntry, PhaseRecord } from '@cooperbench/core'
import { type PairFolder, PairFiles, readJsonChecked, readTrajectory, recordAgents } from '@cooperbench/results'
import { analysedPairKey, pairFile, pairKey, pairsWithUnknownCost, type SettingReporters, settingPairView, type StoredAnalysis } from '@cooperbench/report'
import type { AgentLane, FeatureTests, MessageEvent, PairAnalysisView, PairDetail, SoloTwin, Step, PairSummary } from './model.js'
import { fileTouches } from './file-touches.js'
import { markSharedFiles, overlappingHunks, parsePatch } from './patch-files.js'
import { judgedFeatureRecords, summarisePair, totalCost, totalTokens } from './pair-summary.js'
import { timeOf } from './time-of.js'
import { failingLines } from './test-output.js'
import { type DeliveredMessage, parseTrajectory } from './trajectory-steps.js'

/** What the pair page shows from outside the pair folder: the run's analysis, the same pair in solo runs, the settings' views. */
export interface PairContext {
  analysis?: StoredAnalysis | null
  soloTwins?: SoloTwin[]
  reporters?: SettingReporters
}

/** Everything the pair page shows, read from one pair folder (also while its agents still run). */
export async function loadPairDetail(logDir: string, run: string, pair: PairFolder, context: PairContext = {}, now = Date.now() / 1000): Promise<PairDetail> {
  const problems = [...pair.unreadable]
  const summary = summarisePair(logDir, run, pair, (await pairsWithUnknownCost([pair])).size > 0)
  const result = pair.result
  const view = await settingPairView(context.reporters ?? {}, pair, problems)
  const parsed = await readLanes(pair, summary, view?.roles ?? {}, problems)
  const lanes = parsed.map((p) => p.lane)
  const started = Date.parse(result?.started_at ?? '') / 1000
  const ended = Date.parse(result?.ended_at ?? '') / 1000
  const phaseTimes = (result?.phases ?? []).map((p) => ({ name: p.name, start: Date.parse(p.started_at) / 1000, end: Date.parse(p.ended_at) / 1000 }))
  // One phase is no sequence of phases: no bands (a setting of one phase may record it all the same).
  const phases = phaseTimes.length > 1 ? phaseTimes : []
  const laneOf = laneFinder(parsed, phaseTimes)
  const setting = view && {
    sections: view.sections,
    events: view.events.map((e) => ({ ...e, lane: laneOf(e.by, e.ts)?.lane.id ?? null })),
    files: view.files ?? null,
  }
  // The setting's events and the phases lie on the same axis as the steps: it is widened to them.
  const more = [...(view?.events ?? []).map((e) => e.ts), ...phases.flatMap((p) => [p.start, p.end])].filter(Number.isFinite)
  const { start, end } = timeAxis(lanes, started, ended, now, more)
  for (const lane of lanes) spreadUntimedSteps(lane.steps, start, end)

  const conversation = await readJsonChecked<ConversationEntry[]>(join(pair.dir, PairFiles.conversation))
  if (conversation.problem) problems.push(`${PairFiles.conversation} ${conversation.problem}`)
  const messages = Array.isArray(conversation.value) ? fromConversation(conversation.value, laneOf) : fromTrajectories(parsed, laneOf)

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
    merge: mergeView(summary.merge, pair.eval),
    tests: featureTests(pair.eval),
    evalError: pair.eval?.error ?? null,
    problems,
    analysis: pairAnalysis(context.analysis ?? null, pair),
    soloTwins: context.soloTwins ?? [],
    setting,
  }
}

/** An agent's lane of the timeline, with the messages its trajectory says it read. */
interface ParsedLane {
  lane: AgentLane
  delivered: DeliveredMessage[]
}

/**
 * Each seat's lane: its trajectory (or journal, while it runs) parsed, its patch, its phase's part and files; `roles`: the setting's,
 * for records that name none. What cannot be read goes to `problems`.
 */
async function readLanes(pair: PairFolder, summary: PairSummary, roles: Record<string, string>, problems: string[]) {
  const parsed: ParsedLane[] = []
  const records = new Map(pair.result ? recordAgents(pair.result) : [])
  for (const seat of pairSeats(pair)) {
    // A running (or killed) agent's trajectory is its journal.
    const trajectory = await readTrajectory(pair.dir, seat.trajectory)
    if (trajectory.problem) problems.push(`${seat.trajectory} ${trajectory.problem}`)
    const { steps, delivered, exit } = parseTrajectory(trajectory.value?.messages)
    const phased = seat.record
    parsed.push({
      delivered,
      lane: {
        id: seat.id,
        agentId: seat.agentId,
        featureIds: seat.featureIds,
        // A seat carried through phases has one record per phase; the agent's own record sums them.
        status: phased?.status ?? summary.agents.find((a) => a.id === seat.agentId)?.status ?? exit?.status ?? null,
        error: records.get(seat.agentId)?.error ?? null,
        steps,
        exit: exit?.text ?? null,
        patch: parsePatch((await readText(pairFile(pair.dir, seat.patch))) ?? ''),
        systemPrompt: firstContent(trajectory.value?.messages, 'system'),
        task: firstContent(trajectory.value?.messages, 'user'),
        trajectoryFile: seat.trajectory,
        phase: seat.phase,
        role: phased?.role ?? roles[seat.agentId] ?? null,
        startedFrom: phased?.started_from ?? null,
        ownAgent: phased?.agent_framework ?? null,
        ownModel: phased?.model ?? null,
        artifact: phased?.artifact ? await readArtifact(pair.dir, phased.artifact, problems) : null,
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

/** How the evaluation merged the patches (the summary's `merge`, with the diff); null before an evaluation that merged. */
function mergeView(merge: PairSummary['merge'], evalRecord: PairFolder['eval']): PairDetail['merge'] {
  return merge && evalRecord?.merge ? { ...merge, diff: parsePatch(evalRecord.merge.diff ?? ''), applyStatus: evalRecord.apply_status ?? {} } : null
}

/** A running pair has no result.json: its header counts the steps, messages, cost and tokens of the trajectories so far. */
function countedSoFar(lanes: AgentLane[], messages: MessageEvent[]) {
  const steps = lanes.flatMap((lane) => lane.steps)
  return {
    steps: steps.length,
    messages: messages.length,
    cost: totalCost(steps),
    costUnknown: steps.some((step) => step.costUnknown),
    tokens: totalTokens(steps),
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
function firstContent(messages: unknown, role: string) {
  if (!Array.isArray(messages)) return null
  const found = messages.find((m): m is { content: unknown } => typeof m === 'object' && m !== null && (m as { role?: unknown }).role === role)
  return typeof found?.content === 'string' ? found.content : null
}

/** One seat of the pair with its files (`trajectory`, `patch`): a lane. */
interface PairSeat extends Omit<RecordedSeat, 'phase'> {
  /** The lane's id: the agent's, `agent1@plan` for a seat its setting carried through several phases (a lane each). */
  id: string
  phase: string | null
  /** Its phase's record of it. */
  record: PhaseRecord['seats'][number] | null
}

/** Every seat of the pair with its files, as result.json names them (its phases', or upstream's names); one per feature before result.json is written. */
export function pairSeats(pair: PairFolder): PairSeat[] {
  const recorded = pair.result ? recordedSeats(pair.result) : []
  const seats =
    recorded.length > 0
      ? recorded
      : pair.features.map((featureId, i) => ({ agentId: `agent${i + 1}`, featureIds: [featureId], phase: undefined, ...featureAgentFiles(featureId) }))
  return seats.map((seat) => {
    const recurs = seats.filter((other) => other.agentId === seat.agentId).length > 1
    const phase = seat.phase ?? null
    return {
      ...seat,
      id: recurs ? `${seat.agentId}@${phase}` : seat.agentId,
      phase,
      record: pair.result?.phases?.find((p) => p.name === phase)?.seats.find((s) => s.agent_id === seat.agentId) ?? null,
    }
  })
}

/** The lane of an agent at a time: its seat in the phase under way then (the last that had started), when it has several. */
function laneFinder(parsed: ParsedLane[], phases: Array<{ name: string; start: number }>) {
  return (agentId: string, at: number | null): ParsedLane | undefined => {
    const seats = parsed.filter((p) => p.lane.agentId === agentId)
    if (seats.length < 2 || at === null) return seats[0]
    const started = (p: ParsedLane) => phases.find((phase) => phase.name === p.lane.phase)?.start ?? -Infinity
    return seats.findLast((p) => started(p) <= at) ?? seats[0]
  }
}

/** From the pair's start to its end (or now, while it runs), widened to every timed step and to `more` (the task board's events). */
function timeAxis(lanes: AgentLane[], started: number, ended: number, now: number, more: number[]) {
  const times = [...lanes.flatMap((l) => l.steps.filter((s) => s.timed).flatMap((s) => [s.start, s.end])), ...more]
  let start = Math.min(...times, Number.isFinite(started) ? started : Infinity)
  let end = Math.max(...times, Number.isFinite(ended) ? ended : -Infinity)
  if (!Number.isFinite(start)) start = Number.isFinite(ended) ? ended - 1 : now - 1
  if (!Number.isFinite(end) || !Number.isFinite(ended)) end = Math.max(end, Number.isFinite(ended) ? ended : Math.min(now, start + 3600))
  if (end <= start) end = start + 1
  return { start, end }
}

/** Steps without timestamps (agents that record none) share the axis evenly, in order. */
function spreadUntimedSteps(steps: Step[], start: number, end: number) {
  if (steps.length === 0 || steps.every((s) => s.timed)) return
  const width = (end - start) / steps.length
  steps.forEach((step, i) => {
    if (step.timed) return
    step.start = start + i * width
    step.end = start + (i + 1) * width * 0.9
  })
}

type LaneOf = ReturnType<typeof laneFinder>

/** conversation.json's messages, each between the lanes of its sender and reader at the time it was sent. */
function fromConversation(entries: ConversationEntry[], laneOf: LaneOf) {
  const used = new Set<DeliveredMessage>()
  return entries.map((entry) => {
    const sentAt = timeOf(entry.timestamp)
    const reader = laneOf(entry.to, sentAt)
    const note = reader?.delivered.find(
      (d) => !used.has(d) && d.from === entry.from && (d.text === entry.message || (d.reply && d.text.startsWith(`${entry.message}\n`))),
    )
    if (note) used.add(note)
    const from = laneOf(entry.from, sentAt)?.lane.id ?? entry.from
    return { from, to: reader?.lane.id ?? entry.to, text: entry.message, sentAt, readAt: note?.at ?? null }
  })
}

/** While a pair runs there is no conversation.json yet: messages as their readers saw them, sent at the sender's step that sent them. */
function fromTrajectories(parsed: ParsedLane[], laneOf: LaneOf) {
  const events: MessageEvent[] = []
  for (const { lane, delivered } of parsed) {
    // A step that sent to this reader answers one of its messages.
    const usedSends = new Set<Step>()
    for (const note of delivered) {
      const sender = laneOf(note.from, note.at)?.lane
      const step = sender?.steps.find((s) => s.sends.includes(lane.agentId) && !usedSends.has(s))
      if (step) usedSends.add(step)
      events.push({ from: sender?.id ?? note.from, to: lane.id, text: note.text, sentAt: step?.end ?? null, readAt: note.at })
    }
  }
  return events.sort((a, b) => (a.sentAt ?? a.readAt ?? 0) - (b.sentAt ?? b.readAt ?? 0))
}

/** A seat's artifact, a file of the pair folder (`phase1/agent1.plan`) as result.json names it (never a path out of the folder). */
async function readArtifact(dir: string, file: string, problems: string[]): Promise<AgentLane['artifact']> {
  const path = pairFile(dir, file)
  if (path === null) problems.push(`result.json names the artifact ${JSON.stringify(file)}, which is not a file of the pair folder: not read`)
  return { file, text: await readText(path) }
}

const readText = (path: string | null) => (path === null ? Promise.resolve(null) : readFile(path, 'utf8').catch(() => null))
