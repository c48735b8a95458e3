import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { filterTestFiles, isTestPath, matchesReferenceRule, patchPaths, splitPatch } from '../../src/patch/index.js'
import { assertSampleDatasetInCi, SAMPLE_DATASET, sampleDatasetSkip, sampleDatasetTitle } from '../../../dataset/test/support/sample-dataset.js'

const SAMPLE = SAMPLE_DATASET

interface Task {
  name: string
  features: { tests: string; feature: string }[]
}

function loadTasks(): Task[] {
  const tasks: Task[] = []
  for (const repo of readdirSync(SAMPLE)) {
    for (const task of readdirSync(join(SAMPLE, repo)).filter((t) => t.startsWith('task'))) {
      const dir = join(SAMPLE, repo, task)
      const features = readdirSync(dir)
        .filter((f) => /^feature\d+$/.test(f))
        .map((f) => ({
          tests: readFileSync(join(dir, f, 'tests.patch'), 'utf8'),
          feature: readFileSync(join(dir, f, 'feature.patch'), 'utf8'),
        }))
      tasks.push({ name: `${repo}/${task}`, features })
    }
  }
  return tasks
}

describe.skipIf(sampleDatasetSkip())(sampleDatasetTitle('the filter on the sample dataset patches'), () => {
  assertSampleDatasetInCi()
  const tasks = existsSync(SAMPLE) ? loadTasks() : []

  it('finds the three sample tasks', () => {
    expect(tasks.map((t) => t.name).sort()).toEqual(['go_chi_task/task26', 'pallets_jinja_task/task1621', 'react_hook_form_task/task85'])
  })

  it('recognises every tests.patch section as a test file, even without the tests-patch paths', () => {
    for (const { features } of tasks) {
      for (const { tests } of features) {
        // chi 26 feature 1 starts with a `git format-patch` mail header: a preamble, not a file.
        const files = splitPatch(tests).filter((s) => s.header !== '')
        expect(files.length).toBeGreaterThan(0)
        for (const s of files) {
          expect(matchesReferenceRule(s.header) || isTestPath(s.newPath ?? ''), s.header).toBe(true)
        }
        expect(filterTestFiles(tests, []).patch).not.toContain('diff --git ')
      }
    }
  })

  it("keeps every feature.patch byte-exact, also when given all the task's tests-patch paths", () => {
    for (const { features } of tasks) {
      const testsPaths = features.flatMap((f) => patchPaths(f.tests))
      for (const { feature } of features) {
        expect(
          splitPatch(feature)
            .map((s) => s.text)
            .join(''),
        ).toBe(feature)
        expect(filterTestFiles(feature, testsPaths)).toEqual({ patch: feature, dropped: [] })
      }
    }
  })
})
