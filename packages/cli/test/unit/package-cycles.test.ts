/**
 * The workspace's packages depend on each other without cycles, counting dev and peer
 * dependencies as pnpm does: with a cycle, `pnpm -r exec` and `pnpm -r run` refuse to order the
 * packages, and a package's tests lean on a package that leans on it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../e2e/helpers.js'

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const

type Manifest = { name: string } & Partial<Record<(typeof DEPENDENCY_FIELDS)[number], Record<string, string>>>

/** Every workspace package (pnpm-workspace.yaml: packages/*, examples/*) by name, with the workspace packages it names. */
function workspaceGraph(): Map<string, string[]> {
  const manifests = ['packages', 'examples']
    .flatMap((parent) => readdirSync(join(REPO_ROOT, parent)).map((dir) => join(REPO_ROOT, parent, dir, 'package.json')))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as Manifest)
  const names = new Set(manifests.map((manifest) => manifest.name))
  return new Map(
    manifests.map((manifest) => {
      const named = DEPENDENCY_FIELDS.flatMap((field) => Object.keys(manifest[field] ?? {}))
      return [manifest.name, [...new Set(named)].filter((name) => names.has(name) && name !== manifest.name)]
    }),
  )
}

/** One cycle through each strongly connected part a depth-first walk meets, as `a → b → a`. */
function cyclesOf(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const cycles: string[] = []
  const visit = (name: string): void => {
    state.set(name, 'open')
    path.push(name)
    for (const next of graph.get(name) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' → '))
      else if (!state.has(next)) visit(next)
    }
    path.pop()
    state.set(name, 'done')
  }
  for (const name of graph.keys()) if (!state.has(name)) visit(name)
  return cycles
}

describe('package cycles', () => {
  it('the workspace has none, dev and peer dependencies included', () => {
    const graph = workspaceGraph()
    expect(graph.get('@cooperbench/backend-gcp')).toContain('@cooperbench/standins')
    expect(cyclesOf(graph)).toEqual([])
  })

  it('a cycle is found where there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ])
    expect(cyclesOf(graph)).toEqual(['a → b → c → a'])
  })
})
