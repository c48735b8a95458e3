import { readdir, stat } from 'node:fs/promises'
import { describeBackendConformance } from '@cooperbench/testkit'
import { afterAll, expect } from 'vitest'
import { HostFoldersBackend } from '../src/index.js'

// Host processes: bash, git and python3 on this machine are all the fixture task needs.
describeBackendConformance('host-folders', { createBackend: () => new HostFoldersBackend() })

// These sandboxes share this machine's /tmp, where the suite's checks would make their scratch
// files by default; a check that terminates its sandbox could not remove its own. No other suite
// writes such entries into this machine's /tmp (other sandboxes have a /tmp of their own).
const startedAt = Date.now()
afterAll(async () => {
  const entries = (await readdir('/tmp')).filter((name) => name.startsWith('cooperbench-conformance-'))
  const left: string[] = []
  for (const name of entries) {
    const info = await stat(`/tmp/${name}`).catch(() => null)
    if (info && info.ctimeMs >= startedAt - 1_000) left.push(name)
  }
  expect(left, 'scratch entries the conformance suite left in /tmp').toEqual([])
})
