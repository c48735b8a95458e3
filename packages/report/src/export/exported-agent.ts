import { join } from 'node:path'
import { PairFiles, type PairFolder, readJsonIfPresent, readTrajectory, RunFiles, scanRun } from '@cooperbench/results'
import type { ConversationEntry, ResultRecord } from '@cooperbench/spec'
import type { SettingEvent } from '@cooperbench/spec/report'
import { pairFolderName } from '@cooperbench/spec-utils'
import type { SettingReporters } from '../model/report-types.js'
import { settingPairView } from '../readers/recorded-pair.js'
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
  /** Its setting names it the agent that coordinates the others (the team's lead): its ATIF links their trajectories. */
  coordinates: boolean
  /** What the exports say of the agent beside its messages: pair, setting, role, features, verdicts, messages, the setting's keys and events. */
  metadata: Record<string, unknown>
}

/** What a run's agents could not be exported for: a trajectory missing or unreadable. */
export interface ExportProblem {
  run: string
  trajectory: string
  problem: string
}

/**
 * Every agent of the readable finished pairs, in run order, with its trajectory (or a killed run's journal); one without is a problem.
 * One at a time, read as it is asked for: an export holds one trajectory, not the run's. `reporters`: the installed settings',
 * whose view of a pair gives its agents' events and roles.
 */
export async function* readExportedAgents(runDir: string, run: string, reporters: SettingReporters = {}): AsyncGenerator<ExportedAgent | ExportProblem> {
  const stored = await readJsonIfPresent<{ prompt_source?: unknown }>(join(runDir, RunFiles.config))
  // Each setting of a run has its own fingerprint (its agent may be another one, at another version).
  const fingerprints = await readRunFingerprints(runDir)
  for (const pair of await scanRun(runDir)) {
    if (!pair.result || pair.unreadable.length > 0) continue
    const view = await settingPairView(reporters, pair, [])
    const pairAgents = agentsOfPair(pair, view?.roles)
    const sessionId = `${run}/${pair.setting}/${pair.repo}/${pair.taskId}/${pairFolderName(pair.features)}`
    const teammates = pairAgents.map((a) => ({
      agent_id: a.agentId,
      features: a.features,
      role: a.role,
      trajectory_id: `${sessionId}/${a.exportId}`,
      trajectory_path: `${a.exportId}.atif.json`,
    }))
    const conversation = await readJsonIfPresent<ConversationEntry[]>(join(pair.dir, PairFiles.conversation))
    const settingRecord = settingKeys(pair.result)
    for (const agent of pairAgents) {
      const read = await readTrajectory(pair.dir, agent.trajectoryFile)
      if (read.value === null) {
        yield { run, trajectory: join(pair.dir, agent.trajectoryFile), problem: read.problem ?? 'is missing' }
        continue
      }
      const result = pair.result
      const recorded = readRecordedTurns(read.value.messages)
      const events = (view?.events ?? []).filter((e) => e.by === agent.agentId || e.to === agent.agentId)
      const metadata = metadataOf(run, agent, agentConversation(conversation ?? [], agent.agentId), settingRecord, events)
      const trajectoryId = `${sessionId}/${agent.exportId}`
      const others = teammates.filter((t) => t.trajectory_id !== trajectoryId)
      yield {
        ...agent,
        run,
        // A seat whose role named its own agent or model records which.
        framework: agent.summary.agent_framework ?? result.agent_framework,
        model: agent.summary.model !== undefined ? agent.summary.model : result.model,
        promptSource: result.prompt_source ?? String(stored?.prompt_source ?? 'unknown'),
        version: agentVersion(fingerprints[pair.setting] ?? {}),
        sessionId,
        trajectoryId,
        exportPath: trajectoryId,
        recorded,
        teammates: others,
        coordinates: view?.coordinator === agent.agentId,
        metadata: { ...metadata, teammates: others, exit: recorded.exit },
      }
    }
  }
}

/** The agent's release as its setting's fingerprint records it, else the harness's version. */
const agentVersion = (fingerprint: StoredFingerprint) => String(fingerprint.agent_release ?? `cooperbench ${String(fingerprint.harness_version ?? 'unknown')}`)

function metadataOf(run: string, agent: PairAgent, messages: ConversationEntry[], settingRecord: Record<string, unknown>, events: SettingEvent[]) {
  const { pair, summary } = agent
  return {
    run,
    setting: pair.setting,
    repo: pair.repo,
    task_id: pair.taskId,
    pair_features: pair.features,
    agent_id: agent.agentId,
    features: agent.features,
    role: agent.role,
    ...(Object.keys(settingRecord).length > 0 ? { setting_record: settingRecord } : {}),
    status: summary.status,
    error: summary.error,
    ...(summary.failure ? { failure: summary.failure } : {}),
    verdict: { ...agent.verdict, features_passed: agentFeaturesPassed(agent) },
    messages: messages.map(({ from, to, message, timestamp }) => ({ from, to, message, timestamp })),
    ...(events.length > 0 ? { setting_events: events } : {}),
  }
}

/** result.json's keys every pair has (ResultRecord's, written by the harness); the others are its setting's own. */
const HARNESS_KEYS = new Set<string>([
  ...['repo', 'task_id', 'features', 'run_id', 'run_name', 'agent_framework', 'model', 'prompt_source', 'setting', 'started_at', 'ended_at'],
  ...['duration_seconds', 'agents', 'agent', 'total_cost', 'total_steps', 'messages_sent', 'log_dir', 'base_commit', 'config_hash', 'backend'],
  ...['messaging_enabled', 'git_enabled', 'task_text_digest', 'phases'],
] satisfies Array<keyof ResultRecord>)

/** The setting's own keys of result.json (the team's `lead_agent`, `team_features`, `metrics`). */
function settingKeys(result: ResultRecord) {
  return Object.fromEntries(Object.entries(result).filter(([key]) => !HARNESS_KEYS.has(key)))
}
