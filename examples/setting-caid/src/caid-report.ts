import type { RecordedPair, SettingPairView, SettingReporter } from '@cooperbench/spec/report'
import type { DelegationRecord } from './delegation.js'

/**
 * What the viewer shows of a CAID pair beside its phases: each delegation as the manager's event, at
 * the time the host started the worker (`via: host` when it waited for the worker it came after).
 */
export const caidReporter: SettingReporter = {
  async pairView(pair: RecordedPair): Promise<SettingPairView> {
    const text = await pair.read('delegations.json')
    let delegations: DelegationRecord[] = []
    try {
      delegations = text === null ? [] : (JSON.parse(text) as DelegationRecord[])
    } catch {
      return { sections: [], events: [], problems: ['delegations.json is not JSON'] }
    }
    const events = delegations.flatMap((d) => {
      if (d.started_at === null) return []
      const after = d.after === null ? '' : ` after ${d.after}`
      return [{ ts: Date.parse(d.started_at) / 1000, by: 'manager', kind: 'delegate', label: d.worker, detail: `feature ${d.feature_id}${after}` }]
    })
    return { sections: [], events }
  },
}
