import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, expect, it } from 'vitest'

const script = join(dirname(fileURLToPath(import.meta.url)), '../../../../scripts/prune-stale-dist.mjs')
let root = ''
afterEach(() => rmSync(root, { recursive: true, force: true }))

function files(paths: string[]) {
  for (const path of paths) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), '')
  }
}

it('the build deletes what tsc compiled from a source that moved away, and nothing tsc did not compile', () => {
  root = mkdtempSync(join(tmpdir(), 'cooperbench-prune-'))
  const compiled = (stem: string) => ['js', 'js.map', 'd.ts', 'd.ts.map'].map((ext) => `packages/cli/dist/${stem}.${ext}`)
  files(['packages/cli/src/commands/run.ts', 'packages/cli/src/page.tsx', ...compiled('commands/run'), ...compiled('page')])
  files([...compiled('commands/dev/model-server'), 'packages/viewer/dist/app/assets/index.js', 'packages/core/dist/config/schema.json'])
  const result = spawnSync(process.execPath, [script, root], { encoding: 'utf8' })
  expect(result.status, result.stderr).toBe(0)
  expect(result.stdout).toContain('1 source file(s)')
  for (const gone of compiled('commands/dev/model-server')) expect(existsSync(join(root, gone)), gone).toBe(false)
  for (const kept of [...compiled('commands/run'), ...compiled('page'), 'packages/viewer/dist/app/assets/index.js', 'packages/core/dist/config/schema.json'])
    expect(existsSync(join(root, kept)), kept).toBe(true)
})
