import type { AgentResult, TrajectoryRecorder } from '@cooperbench/spec'
import type { TrajectoryRecord } from '@cooperbench/spec'
import { writeJsonAtomic } from '../util/atomic-write.js'

/**
 * Writes `agent<fid>_traj.json` / `solo_traj.json` after every save, atomically, so a crash
 * keeps the trajectory up to the last step.
 */
export function createTrajectoryRecorder(path: string, header: Omit<TrajectoryRecord, 'messages' | 'status' | 'cost' | 'steps'>): TrajectoryRecorder & {
  finish(result: AgentResult): Promise<void>
} {
  let last: unknown[] = []
  let writing: Promise<void> = Promise.resolve()
  const write = (record: TrajectoryRecord) => {
    // A failed write (a full disk) fails its caller, but never the writes after it.
    writing = writing.catch(() => {}).then(() => writeJsonAtomic(path, record))
    return writing
  }
  return {
    save(messages) {
      last = messages
      return write({ ...header, status: null, cost: 0, steps: 0, messages })
    },
    finish(result) {
      const messages = result.messages.length > 0 ? result.messages : last
      return write({ ...header, status: result.status, cost: result.cost, steps: result.steps, messages })
    },
  }
}
