import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { recordLiveResults } from '../src/live-results.js'

const folder = join(tmpdir(), `cb-live-results-${process.pid}`)
const file = join(folder, 'nested', 'service.json')
afterAll(() => rmSync(folder, { recursive: true, force: true }))

describe('a live suite that records its results', () => {
  recordLiveResults(file, 'service against the real thing', 'TOKEN=… pnpm exec vitest run live.test.ts')
  it('talks to the service', () => {
    expect(1 + 1).toBe(2)
  })
  it('checks another thing', () => {
    expect('ok').toMatch(/ok/)
  })
})

describe('the record it leaves', () => {
  it('names the suite, the command, when it ran and each test’s outcome', () => {
    const record = JSON.parse(readFileSync(file, 'utf8'))
    expect(record).toMatchObject({
      suite: 'service against the real thing',
      command: 'TOKEN=… pnpm exec vitest run live.test.ts',
      passed: 2,
      failed: 0,
      tests: [
        { name: 'talks to the service', outcome: 'passed' },
        { name: 'checks another thing', outcome: 'passed' },
      ],
    })
    expect(Date.now() - Date.parse(record.ran_at)).toBeLessThan(60_000)
  })
})
