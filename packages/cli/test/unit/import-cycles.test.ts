/**
 * Core's, the dataset and report packages' and the CLI's modules import each other without cycles: a cycle makes the load order
 * decide which module sees the other half-initialised, and says two files are one concept.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../e2e/helpers.js'

/** Every `.ts` file under `dir` mapped to the files of the same tree it imports (static, dynamic, type-only). */
function importGraph(dir: string): Map<string, string[]> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(dir, name))
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')))
      .filter((target) => existsSync(target))
    graph.set(file, targets)
  }
  return graph
}

/** One cycle through each strongly connected part found by a depth-first walk, as repo-relative paths. */
function cyclesOf(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const cycles: string[] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    path.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(REPO_ROOT, f)).join(' → '))
      else if (!state.has(next)) visit(next)
    }
    path.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return cycles
}

describe('import cycles', () => {
  for (const pkg of ['core', 'dataset', 'report', 'cli']) {
    it(`packages/${pkg}/src has none`, () => {
      expect(cyclesOf(importGraph(join(REPO_ROOT, 'packages', pkg, 'src')))).toEqual([])
    })
  }
})
