import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { isCooperbenchError } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { CreatorLabels, type ListedSandbox, ManagedSandboxes, onceUntilDone, sharedPerKey } from '../src/index.js'

const creator = new CreatorLabels({ pid: 'x.pid', start: 'x.start', host: 'x.host' })

/** A sandbox that counts its terminations. */
class CountingSandbox {
  terminations = 0
  constructor(private readonly onTerminated: () => void = () => {}) {}
  async terminate(): Promise<void> {
    this.terminations++
    this.onTerminated()
  }
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync('true').pid!
}

function listed(id: string, labels: Record<string, string>): ListedSandbox {
  return { id, labels }
}

/** Reaps `entries` with the creator rules, recording what the provider was asked to remove. */
async function reap(set: ManagedSandboxes<CountingSandbox>, entries: ListedSandbox[], includeLive = false) {
  const removed: string[] = []
  const count = await set.reap(entries, {
    includeLive,
    isCurrent: (entry) => creator.isCurrent(entry.labels),
    isAlive: (entry) => creator.isAlive(entry.labels),
    remove: async (stale) => {
      removed.push(...stale.map((entry) => entry.id))
      return stale.length
    },
  })
  return { count, removed }
}

describe('ManagedSandboxes', () => {
  it('reaps leftovers of gone creators and its own untracked ones, sparing live, creating and foreign ones unless asked', async () => {
    const set = new ManagedSandboxes<CountingSandbox>('kit-test-reap')
    const open = new CountingSandbox(() => set.forget('open'))
    set.add('open', open)
    const gone = { ...creator.current(), 'x.pid': String(deadPid()), 'x.start': '' }
    const elsewhere = { ...creator.current(), 'x.host': `not-${hostname()}` }
    const entries = [
      listed('open', creator.current()),
      listed('leftover', creator.current()),
      listed('dead', gone),
      listed('remote', elsewhere),
      listed('new', creator.current()),
    ]
    let result: { count: number; removed: string[] } | undefined
    await set.whileCreating('new', async () => {
      result = await reap(set, entries)
    })
    expect(result).toEqual({ count: 2, removed: ['leftover', 'dead'] })
    expect(open.terminations).toBe(0)

    expect(await reap(set, entries, true)).toEqual({ count: 5, removed: ['leftover', 'dead', 'remote', 'new'] })
    expect(open.terminations).toBe(1)
    expect(set.has('open')).toBe(false)
  })

  it('spares what another backend of the same name in this process has open, and reaps it once that one closed', async () => {
    const other = new ManagedSandboxes<CountingSandbox>('kit-test-shared')
    other.add('theirs', new CountingSandbox(() => other.forget('theirs')))
    const mine = new ManagedSandboxes<CountingSandbox>('kit-test-shared')
    const entries = [listed('theirs', creator.current())]
    expect(await reap(mine, entries)).toEqual({ count: 0, removed: [] })
    expect(mine.ownerAlive('theirs', () => null)).toBeNull()
    expect(other.ownerAlive('theirs', () => null)).toBe(true)
    await other.close()
    expect(await reap(mine, entries)).toEqual({ count: 1, removed: ['theirs'] })
  })

  it('close terminates every open sandbox, aborts creations and refuses new ones with a coded error', async () => {
    const set = new ManagedSandboxes<CountingSandbox>('kit-test-close')
    const sandboxes = [new CountingSandbox(), new CountingSandbox()]
    sandboxes.forEach((sandbox, index) => set.add(`s${index}`, sandbox))
    const caller = new AbortController()
    const creation = set.creationSignal(caller.signal)
    expect(creation.aborted).toBe(false)
    await set.close()
    expect(sandboxes.map((sandbox) => sandbox.terminations)).toEqual([1, 1])
    expect(creation.aborted).toBe(true)
    expect(set.signal.aborted).toBe(true)
    let refused: unknown
    try {
      set.creationSignal()
    } catch (error) {
      refused = error
    }
    expect(isCooperbenchError(refused) && refused.code === 'SANDBOX_FAILED' && refused.message).toBe('backend "kit-test-close" has been closed')
  })

  it('close returns only after the creations it aborted have cleaned up after themselves', async () => {
    const set = new ManagedSandboxes<CountingSandbox>('kit-test-close-creating')
    const steps: string[] = []
    const signal = set.creationSignal()
    const creating = set.whileCreating('half-made', async () => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))
      // What an aborted creation does before it rejects: kill what it started, remove what it made.
      await new Promise((resolve) => setTimeout(resolve, 50))
      steps.push('creation cleaned up')
      throw signal.reason
    })
    await set.close(async () => steps.push('settled'))
    steps.push('closed')
    expect(steps).toEqual(['settled', 'creation cleaned up', 'closed'])
    await expect(creating).rejects.toThrow(/has been closed/)
    expect(set.has('half-made')).toBe(false)
  })

  it('forgets a creation that failed', async () => {
    const set = new ManagedSandboxes<CountingSandbox>('kit-test-failed')
    await expect(set.whileCreating('broken', async () => Promise.reject(new Error('no')))).rejects.toThrow('no')
    expect(set.has('broken')).toBe(false)
    expect(await reap(set, [listed('broken', creator.current())])).toEqual({ count: 1, removed: ['broken'] })
  })
})

describe('CreatorLabels', () => {
  it('names this process, which is alive; a dead pid is not, another host is unknown', () => {
    const labels = creator.current()
    expect(labels['x.pid']).toBe(String(process.pid))
    expect(labels['x.host']).toBe(hostname())
    expect(creator.isCurrent(labels)).toBe(true)
    expect(creator.isAlive(labels)).toBe(true)
    expect(creator.isAlive({ ...labels, 'x.pid': String(deadPid()), 'x.start': '' })).toBe(false)
    expect(creator.isAlive({ ...labels, 'x.host': `not-${hostname()}` })).toBeNull()
    expect(creator.isAlive({})).toBeNull()
    expect(creator.isCurrent({ ...labels, 'x.pid': '1' })).toBe(false)
  })

  it('encodes values as the platform takes them and still knows this host', () => {
    const encoded = new CreatorLabels({ pid: 'p', start: 's', host: 'h' }, { encode: (value) => `=${value.toUpperCase()}` })
    const labels = encoded.current()
    expect(labels.h).toBe(`=${hostname().toUpperCase()}`)
    expect(encoded.isCurrent(labels)).toBe(true)
    expect(encoded.isAlive({ ...labels, p: String(process.pid), s: '' })).toBe(true)
  })
})

describe('onceUntilDone', () => {
  it('shares one run among concurrent and later calls, and retries after a failure', async () => {
    let runs = 0
    let fail = true
    const terminate = onceUntilDone(async () => {
      runs++
      await new Promise((resolve) => setTimeout(resolve, 5))
      if (fail) throw new Error(`attempt ${runs}`)
    })
    const first = [terminate(), terminate()]
    await expect(Promise.all(first)).rejects.toThrow('attempt 1')
    expect(runs).toBe(1)
    fail = false
    await Promise.all([terminate(), terminate()])
    await terminate()
    expect(runs).toBe(2)
  })
})

describe('sharedPerKey', () => {
  it('shares one creation per key, forgets a failed one, and keeps an entry that replaced it', async () => {
    const shared = new Map<string, Promise<string>>()
    let runs = 0
    const failing = () => {
      runs++
      return new Promise<string>((_, reject) => setTimeout(() => reject(new Error('gone')), 5))
    }
    const first = sharedPerKey(shared, 'k', failing)
    expect(sharedPerKey(shared, 'k', failing)).toBe(first)
    // A release dropped the entry and a new attempt took its place before the first failed.
    shared.delete('k')
    const second = sharedPerKey(shared, 'k', async () => 'made')
    await expect(first).rejects.toThrow('gone')
    expect(runs).toBe(1)
    expect(shared.get('k')).toBe(second)
    expect(await sharedPerKey(shared, 'k', failing)).toBe('made')
    shared.clear()
    await expect(sharedPerKey(shared, 'k', failing)).rejects.toThrow('gone')
    expect(shared.has('k')).toBe(false)
  })
})
