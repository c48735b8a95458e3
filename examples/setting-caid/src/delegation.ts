import type { CommandTool, GitRemote, SeatOutcome, SettingPair } from '@cooperbench/spec'
import { type FeatureText, workerTask } from './tasks.js'

/** One delegation, as the records say it: the manager asked, the host started the worker (`started_at`), after another one or not. */
export interface DelegationRecord {
  worker: string
  feature_id: number
  after: string | null
  by: 'manager'
  started_at: string | null
}

/** A worker's files in the pair folder. */
export const workerFiles = (agentId: string) => ({ trajectory: `${agentId}_traj.json`, patch: `${agentId}.patch`, worktreePatch: `${agentId}.worktree.patch` })

/**
 * The manager's `delegate` command and the workers it starts while the manager runs (CAID's
 * asynchronous delegation): `delegate [--after <worker>] <feature> [instructions]` starts `workerN`
 * on that feature at once, or once `--after`'s worker has ended, from its patch. One worker per
 * feature.
 */
export class Delegation {
  readonly records: DelegationRecord[] = []
  private readonly running = new Map<string, Promise<SeatOutcome>>()

  constructor(
    private readonly pair: SettingPair,
    private readonly remote: GitRemote,
    private readonly features: readonly FeatureText[],
  ) {}

  /** Every worker's outcome, in delegation order, once all ended (those started after others too). */
  async finished(): Promise<SeatOutcome[]> {
    return Promise.all([...this.running.values()])
  }

  readonly tool: CommandTool = {
    kind: 'command',
    name: 'delegate',
    description: "Start a worker on one feature, now or after another worker (its work then committed in the new one's repository); prints the worker's id.",
    run: async (argv) => {
      const [after, rest] = argv[0] === '--after' ? [argv[1] ?? '', argv.slice(2)] : [null, argv]
      const [featureArg = '', ...words] = rest
      const feature = this.features.find((f) => String(f.id) === featureArg)
      if (feature === undefined) return usage(`no feature ${featureArg} in this task; the features are ${this.features.map((f) => f.id).join(', ')}`)
      if (this.records.some((r) => r.feature_id === feature.id)) return usage(`feature ${feature.id} is already delegated`)
      if (after !== null && !this.running.has(after)) return usage(`${after} is no worker of yours; started: ${[...this.running.keys()].join(', ') || 'none'}`)
      const assignment = words.join(' ')
      const agentId = `worker${this.records.length + 1}`
      const record: DelegationRecord = { worker: agentId, feature_id: feature.id, after, by: 'manager', started_at: null }
      this.records.push(record)
      const start = async (from: SeatOutcome | null): Promise<SeatOutcome> => {
        record.started_at = new Date().toISOString()
        const seat = this.pair.startSeat(
          {
            agentId,
            role: 'worker',
            featureIds: [feature.id],
            instructions: workerTask(feature, assignment, agentId, this.remote.git.remote, after),
            files: workerFiles(agentId),
            git: this.remote,
            ...(from && from.patch !== '' ? { startFrom: { patch: from.patch, agent: from.agentId } } : {}),
          },
          'work',
        )
        return seat.outcome
      }
      this.running.set(agentId, after === null ? start(null) : this.running.get(after)!.then(start))
      const when = after === null ? 'now' : `when ${after} has finished`
      return { exitCode: 0, output: `${agentId} starts on feature ${feature.id} ${when}\n` }
    },
  }
}

function usage(why: string) {
  return { exitCode: 2, output: `delegate: ${why}\nusage: delegate [--after WORKER] FEATURE_ID [INSTRUCTIONS]\n` }
}
