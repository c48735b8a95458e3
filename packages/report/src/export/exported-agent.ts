import { join } from 'node:path'
import { PairFiles, type PairFolder, readJsonIfPresent, readTrajectory, RunFiles, scanRun } from '@cooperbench/results'
import type { ConversationEntry } from '@cooperbench/spec'
import { pairFolderName } from '@cooperbench/spec-utils'
import { readRunFingerprints, type StoredFingerprint } from '../readers/run-fingerprints.js'
import { agentConversation, agentFeaturesPassed, agentsOfPair, type PairAgent } from './pair-agents.js'
import { type RecordedTrajectory, readRecordedTurns } from './recorded-turns.js'

/** A teammate as another agent's export names it: enough to open its file. */
interface Teammate {
  agent_id: string
  features: number[]
  role: PairAgent['role']
  trajectory_id: string
  /** Its exported file, relative to this agent's (both are in the pair's folder). */
  trajectory_path: string
}

/** One agent of a run as the exports read it: its records, its trajectory as turns, its identity in the export. */
export interface ExportedAgent extends Omit<PairAgent, 'pair'> {
  run: string
  pair: PairFolder
  framework: string
  model: string | null
  promptSource: string
  /** Its program's version: a CLI's pinned package, else the harness's. */
  version: string
  /** The pair's run: shared by the pair's agents (ATIF's `session_id`). */
  sessionId: string
  trajectoryId: string
  /** Where its files go in an export: `<run>/<setting>/<repo>/<task>/<pair>/<agent>`. */
  exportPath: string
  recorded: RecordedTrajectory
  teammates: Teammate[]
  /** What the exports say of the agent beside its messages: pair, setting, role, features, verdicts, messages, task events. */
  metadata: Record<string, unknown>
}

/** What a run's agents could not be exported for: a trajectory missing or unreadable. */
export interface ExportProblem {
  run: string
  trajectory: string
  problem: string
}

/** Every agent of the readable finished pairs, in run order, with its trajectory (or a killed run's journal); one without is a problem. */
export async function readExportedAgents(runDir: string, run: string): Promise<{ agents: ExportedAgent[]; problems: ExportProblem[] }> {
  const stored = await readJsonIfPresent<{ prompt_source?: unknown }>(join(runDir, RunFiles.config))
  // Each setting of a run has its own fingerprint (its agent may be another one, at another version).
  const fingerprints = await readRunFingerprints(runDir)
  const agents: ExportedAgent[] = []
  const problems: ExportProblem[] = []
  for (const pair of await scanRun(runDir)) {
    if (!pair.result || pair.unreadable.length > 0) continue
    const pairAgents = agentsOfPair(pair)
    const sessionId = `${run}/${pair.setting}/${pair.repo}/${pair.taskId}/${pairFolderName(pair.features)}`
    const teammates: Teammate[] = pairAgents.map((a) => ({
      agent_id: a.agentId,
      features: a.features,
      role: a.role,
      trajectory_id: `${sessionId}/${a.agentId}`,
      trajectory_path: `${a.agentId}.atif.json`,
    }))
    const [conversation, taskLog] = await Promise.all([
      readJsonIfPresent<ConversationEntry[]>(join(pair.dir, PairFiles.conversation)),
      readJsonIfPresent<Array<Record<string, unknown>>>(join(pair.dir, TASK_LOG)),
    ])
    for (const agent of pairAgents) {
      const read = await readTrajectory(pair.dir, agent.trajectoryFile)
      if (read.value === null) {
        problems.push({ run, trajectory: join(pair.dir, agent.trajectoryFile), problem: read.problem ?? 'is missing' })
        continue
      }
      const result = pair.result
      const recorded = readRecordedTurns(read.value.messages)
      const metadata = metadataOf(run, agent, agentConversation(conversation ?? [], agent.agentId), taskEventsOf(taskLog ?? [], agent.agentId))
      const others = teammates.filter((t) => t.agent_id !== agent.agentId)
      agents.push({
        ...agent,
        run,
        framework: result.agent_framework,
        model: result.model,
        promptSource: result.prompt_source ?? String(stored?.prompt_source ?? 'unknown'),
        version: agentVersion(fingerprints[pair.setting] ?? {}),
        sessionId,
        trajectoryId: `${sessionId}/${agent.agentId}`,
        exportPath: `${sessionId}/${agent.agentId}`,
        recorded,
        teammates: others,
        metadata: { ...metadata, teammates: others, exit: recorded.exit },
      })
    }
  }
  return { agents, problems }
}

/** The agent's release as its setting's fingerprint records it, else the harness's version. */
const agentVersion = (fingerprint: StoredFingerprint) => String(fingerprint.agent_release ?? `cooperbench ${String(fingerprint.harness_version ?? 'unknown')}`)

function metadataOf(run: string, agent: PairAgent, messages: ConversationEntry[], taskEvents: Array<Record<string, unknown>>): Record<string, unknown> {
  const { pair, summary } = agent
  const result = pair.result!
  return {
    run,
    setting: pair.setting,
    repo: pair.repo,
    task_id: pair.taskId,
    pair_features: pair.features,
    agent_id: agent.agentId,
    features: agent.features,
    role: agent.role,
    ...(result.setting === 'team' ? { lead_agent: result.lead_agent, team_features: result.team_features } : {}),
    status: summary.status,
    error: summary.error,
    ...(summary.failure ? { failure: summary.failure } : {}),
    verdict: { ...agent.verdict, features_passed: agentFeaturesPassed(agent) },
    messages: messages.map(({ from, to, message, timestamp }) => ({ from, to, message, timestamp })),
    ...(taskEvents.length > 0 ? { task_events: taskEvents } : {}),
  }
}

/** The task list's events this agent made or that concern it (assigned to it, addressed to it). */
function taskEventsOf(log: ReadonlyArray<Record<string, unknown>>, agentId: string): Array<Record<string, unknown>> {
  return log.filter((event) => event['by'] === agentId || event['owner'] === agentId || event['to'] === agentId)
}

/** The task list's audit log a team pair's folder holds (the team setting's `task_log.json`). */
const TASK_LOG = 'task_log.json'
