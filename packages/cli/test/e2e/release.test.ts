import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import semver from 'semver'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from './helpers.js'
import { pnpmCommand } from './pnpm-command.js'

/**
 * What `pnpm -r publish` would publish, checked before anyone publishes: the dry run passes and
 * warns of nothing but being a dry run; every public package has the shape a user's npm and
 * TypeScript need (files, exports with types first, types, engines, a README) and a changeset or
 * a changelog; and the peers on `@cooperbench/*` are ranges the workspace satisfies.
 */

interface Manifest {
  name: string
  version: string
  private?: boolean
  type?: string
  license?: string
  main?: string
  types?: string
  files?: string[]
  engines?: { node?: string }
  exports?: Record<string, string | Record<string, string>>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

function workspacePackages(): Array<{ dir: string; manifest: Manifest }> {
  return ['packages', 'examples'].flatMap((parent) =>
    readdirSync(join(REPO_ROOT, parent))
      .map((name) => join(REPO_ROOT, parent, name))
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest })),
  )
}

const published = workspacePackages().filter(({ manifest }) => !manifest.private)
const versions = new Map(workspacePackages().map(({ manifest }) => [manifest.name, manifest.version]))

/** The package names the front matter of the pending changesets bump. */
function pendingChangesetNames(): Set<string> {
  const names = new Set<string>()
  const dir = join(REPO_ROOT, '.changeset')
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? ''
    for (const match of front.matchAll(/^"([^"]+)":\s*(major|minor|patch)\s*$/gm)) names.add(match[1]!)
  }
  return names
}

describe('what `pnpm -r publish` would publish', () => {
  it('the dry run publishes every public package and warns of nothing else', () => {
    const [command, ...prefix] = pnpmCommand()
    const r = spawnSync(command, [...prefix, '-r', 'publish', '--dry-run', '--no-git-checks'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000 })
    const output = `${r.stdout}\n${r.stderr}`
    expect(r.status, output).toBe(0)
    const skipped = [...output.matchAll(/^\[WARN\] Skip publishing (\S+)@\S+ \(dry run\)$/gm)].map((m) => m[1])
    expect(skipped.sort()).toEqual(published.map(({ manifest }) => manifest.name).sort())
    const otherWarnings = output.split('\n').filter((line) => /\bWARN\b|\bERR/i.test(line) && !/^\[WARN\] Skip publishing \S+ \(dry run\)$/.test(line))
    expect(otherWarnings).toEqual([])
  }, 300_000)

  it('every public package ships dist with ESM exports (types first), types, engines and a README', () => {
    const problems: string[] = []
    for (const { dir, manifest: m } of published) {
      const say = (problem: string) => problems.push(`${m.name}: ${problem}`)
      if (m.type !== 'module') say('is not "type": "module"')
      if (m.license !== 'MIT') say(`license ${m.license}`)
      if (m.engines?.node !== '>=22.12') say(`engines.node ${m.engines?.node}`)
      if (!m.files?.includes('dist') || !m.files.includes('!dist/**/*.tsbuildinfo')) say(`files ${JSON.stringify(m.files)} (dist, without build info)`)
      if (m.files?.some((entry) => /^(src|test)\b/.test(entry))) say('files ship sources or tests')
      const root = m.exports?.['.']
      if (typeof root !== 'object' || Object.keys(root)[0] !== 'types' || !root.default) say('exports["."] is not { types, default } with types first')
      else if (m.types !== root.types) say(`types ${m.types} is not exports["."].types ${root.types}`)
      for (const [entry, target] of Object.entries(m.exports ?? {})) {
        if (typeof target === 'object' && Object.keys(target)[0] !== 'types') say(`exports["${entry}"] does not list types first`)
        for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
          if (!file.includes('*') && !existsSync(join(dir, file))) say(`exports["${entry}"] → ${file} does not exist (built?)`)
        }
      }
      const readme = existsSync(join(dir, 'README.md')) ? readFileSync(join(dir, 'README.md'), 'utf8') : ''
      if (!readme.startsWith(`# ${m.name}\n`) || readme.length < 300) say('has no README.md that starts with "# <name>" and says what it is')
    }
    expect(problems).toEqual([])
  })

  it('every public package has a pending changeset or a changelog of its releases', () => {
    const pending = pendingChangesetNames()
    const uncovered = published.filter(({ dir, manifest }) => !pending.has(manifest.name) && !existsSync(join(dir, 'CHANGELOG.md')))
    expect(uncovered.map(({ manifest }) => manifest.name)).toEqual([])
    // A changeset that names no package of the workspace is a typo.
    expect([...pending].filter((name) => !versions.has(name))).toEqual([])
  })

  it('peers on @cooperbench packages are ranges that the workspace satisfies, never their own copies', () => {
    const problems: string[] = []
    for (const { manifest: m } of published) {
      for (const [name, range] of Object.entries(m.peerDependencies ?? {})) {
        if (!name.startsWith('@cooperbench/')) continue
        if (m.dependencies?.[name]) problems.push(`${m.name}: ${name} is both a peer and a dependency`)
        const plain = range.replace(/^workspace:/, '')
        if (plain !== '^' && !semver.satisfies(versions.get(name) ?? '0.0.0', plain))
          problems.push(`${m.name}: peer ${name} ${range} excludes ${versions.get(name)}`)
      }
    }
    expect(problems).toEqual([])
  })
})
