/**
 * What `cooperbench run` loads before it starts a pair: the command's module graph, read from the
 * built CLI by a child Node that records every module it loads. Every run, every test's CLI run
 * included, pays for each module: the report's exports, bundles and analysis (with tar and ajv)
 * have no part in running pairs and stay out.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../e2e/helpers.js'

/** The file URLs of every module the `run` command's module loads, in load order. */
function modulesOfRunCommand(): string[] {
  const command = pathToFileURL(join(REPO_ROOT, 'packages/cli/dist/commands/run.js')).href
  const recorder = `
    const { registerHooks } = await import('node:module')
    const loaded = []
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context) } })
    await import(${JSON.stringify(command)})
    process.stdout.write(JSON.stringify(loaded))`
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', recorder], { encoding: 'utf8' })
  if (child.status !== 0) throw new Error(`the recorder exited ${child.status}: ${child.stderr}`)
  return JSON.parse(child.stdout) as string[]
}

describe("the run command's start", () => {
  it('loads the report package only for its summary, and neither tar nor the report’s exports, bundles or analysis', () => {
    const loaded = modulesOfRunCommand()
    // The recorder sees the command's own graph: a change that breaks it would pass vacuously.
    expect(loaded.some((url) => url.endsWith('/packages/core/dist/index.js'))).toBe(true)
    const report = loaded.filter((url) => url.includes('/packages/report/dist/')).map((url) => url.slice(url.indexOf('/dist/') + 6))
    expect(report.sort()).toEqual(['formats/text-table.js', 'readers/unknown-cost.js', 'run-summary.js', 'statistics/confidence.js'])
    // ajv only as the runtime of the config file's validator, compiled at build time.
    expect(loaded.filter((url) => /\/node_modules\/(tar\/|ajv\/(?!dist\/runtime\/))/.test(url))).toEqual([])
  })
})
