import { CooperbenchError, type SharedLog } from '@cooperbench/spec'
import { getOrCreate } from './get-or-create.js'
import { sleepOrWake } from './sleep-or-wake.js'

interface Entries {
  items: string[]
  /** Wakes the handles waiting for an entry. */
  waiters: Set<() => void>
}

/**
 * Shared logs kept in this process (`MessageBus.openLog` of an in-process bus): each handle reads on from where it last read, and an
 * append lands only when the log has not grown since, which holds without a lock because nothing awaits between the check and the push.
 */
export class MemoryLogs {
  private readonly logs = new Map<string, Entries>()

  open(namespace: string, name: string): SharedLog {
    const key = `${namespace}\0${name}`
    const entries = () => getOrCreate(this.logs, key, (): Entries => ({ items: [], waiters: new Set() }))
    let position = 0
    const current = () => {
      const log = entries()
      if (log.items.length < position) throw new CooperbenchError('INFRA_FAILED', `the shared log ${name} of ${namespace} lost entries: it was cleared`)
      return log
    }
    const read = () => {
      const { items } = current()
      const taken = items.slice(position)
      position = items.length
      return taken
    }
    return {
      read: async () => read(),
      append: async (added) => {
        const log = current()
        if (log.items.length !== position) return false
        log.items.push(...added)
        position = log.items.length
        for (const wake of log.waiters) wake()
        return true
      },
      wait: async (timeoutMs, signal) => {
        if (entries().items.length === position && !signal?.aborted) await sleepOrWake(timeoutMs, entries().waiters, signal)
        return signal?.aborted ? [] : read()
      },
      close: async () => {},
    }
  }

  /** Deletes every log of `namespace`. */
  clear(namespace: string): void {
    for (const key of this.logs.keys()) if (key.startsWith(`${namespace}\0`)) this.logs.delete(key)
  }
}
