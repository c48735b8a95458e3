import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * `@cooperbench/spec` is what every plugin peer-depends on, so it must cost nothing to take:
 * no runtime dependency, and nothing in its built code that loads a package. Its helpers,
 * `@cooperbench/spec-utils`, take only the spec. The backend kit may take only those two (and the
 * concurrency libraries the host uses too), and a plugin (in packages/ or examples/) only the
 * three, and a setting it composes on as a peer (`@cooperbench/setting-team`, which the auto-claim
 * example wraps), which the host provides like the spec, or nests as an oclif plugin it never
 * imports (builtins carries the team setting that way). An agent takes no setting at all: what a
 * setting gives it arrives as the seat's coordination. Core, the host, stands on the spec and its
 * helpers, never on the kit: what both need is theirs. Checked on the built files, as published.
 */
const PACKAGES = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const EXAMPLES = resolve(PACKAGES, '../examples')

function builtFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name))
}

/** Every module specifier the built code of a package loads, except its own relative files. */
function loadedPackages(pkg: string, root = PACKAGES): Set<string> {
  const specifiers = new Set<string>()
  for (const file of builtFiles(join(root, pkg, 'dist'))) {
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) {
      const specifier = match[1]!
      if (!specifier.startsWith('.')) specifiers.add(specifier)
    }
  }
  return specifiers
}

interface Manifest {
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  oclif?: { hooks?: Record<string, unknown>; plugins?: string[] }
}

const PLUGIN_MAY_TAKE = ['@cooperbench/spec', '@cooperbench/spec-utils', '@cooperbench/backend-kit']
/**
 * A plugin built on another plugin's public entry, by name: agent swe_agent runs on mini_swe_agent's
 * model client, trajectory record and Jinja2 renderer (`@cooperbench/agent-mini-swe`'s exports)
 * rather than a copy of them. Never core: the plugin still sees the host only through the spec.
 */
const BUILT_ON: Record<string, string[]> = { 'agent-swe-agent': ['@cooperbench/agent-mini-swe'] }

/** The packages of a folder that are plugins (they declare the `cooperbench:register` hook), except the host's CLI. */
function pluginsIn(root: string): Array<{ name: string; root: string; manifest: Manifest }> {
  return readdirSync(root)
    .filter((name) => name !== 'cli' && existsSync(join(root, name, 'package.json')))
    .map((name) => ({ name, root, manifest: JSON.parse(readFileSync(join(root, name, 'package.json'), 'utf8')) as Manifest }))
    .filter(({ manifest }) => manifest.oclif?.hooks?.['cooperbench:register'] !== undefined)
}

/** The package a specifier loads from: `@cooperbench/spec-utils/patch` → `@cooperbench/spec-utils`. */
const packageOf = (specifier: string) => specifier.split('/').slice(0, 2).join('/')

const isSetting = (specifier: string) => /^@cooperbench\/setting-[a-z-]+$/.test(packageOf(specifier))

const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier)

describe('what the contracts and the kit cost a plugin', () => {
  it('@cooperbench/spec declares no dependencies and its code loads no package', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGES, 'spec/package.json'), 'utf8')) as Record<string, unknown>
    expect(manifest['dependencies'] ?? {}).toEqual({})
    expect(manifest['peerDependencies'] ?? {}).toEqual({})
    const loaded = [...loadedPackages('spec')]
    expect(loaded.filter((specifier) => !isBuiltin(specifier))).toEqual([])
  })

  it('@cooperbench/spec-utils declares only the spec, as a peer, and its code loads only the spec and node built-ins', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGES, 'spec-utils/package.json'), 'utf8')) as Record<string, Record<string, string>>
    expect(manifest['dependencies'] ?? {}).toEqual({})
    expect(Object.keys(manifest['peerDependencies'] ?? {})).toEqual(['@cooperbench/spec'])
    const loaded = new Set([...loadedPackages('spec-utils')].filter((specifier) => !isBuiltin(specifier)).map(packageOf))
    expect([...loaded]).toEqual(['@cooperbench/spec'])
  })

  it('@cooperbench/backend-kit loads only the spec, its helpers, p-limit, p-map and node built-ins', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGES, 'backend-kit/package.json'), 'utf8')) as Record<string, Record<string, string>>
    expect(Object.keys(manifest['dependencies'] ?? {})).toEqual(['p-limit', 'p-map'])
    expect(Object.keys(manifest['peerDependencies'] ?? {})).toEqual(['@cooperbench/spec', '@cooperbench/spec-utils'])
    const loaded = new Set([...loadedPackages('backend-kit')].filter((specifier) => !isBuiltin(specifier)).map(packageOf))
    expect([...loaded].sort()).toEqual(['@cooperbench/spec', '@cooperbench/spec-utils', 'p-limit', 'p-map'])
  })

  it('@cooperbench/core neither declares nor loads the backend kit', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGES, 'core/package.json'), 'utf8')) as Manifest & { devDependencies?: Record<string, string> }
    const declared = [manifest.dependencies, manifest.peerDependencies, manifest.devDependencies].flatMap((deps) => Object.keys(deps ?? {}))
    expect(declared).not.toContain('@cooperbench/backend-kit')
    const loaded = [...loadedPackages('core')].map(packageOf)
    expect(loaded).toContain('@cooperbench/spec')
    expect(loaded).not.toContain('@cooperbench/backend-kit')
  })

  it('every plugin in the repository, first-party or example, takes only the spec, its helpers and the kit from @cooperbench', () => {
    const plugins = [...pluginsIn(PACKAGES), ...pluginsIn(EXAMPLES)]
    expect(plugins.length).toBeGreaterThanOrEqual(12)
    expect(plugins.map((plugin) => plugin.name)).toEqual(
      expect.arrayContaining(['agent-mini-swe', 'agent-oneshot', 'backend-container-cli', 'builtins', 'evaluator-default']),
    )
    const offenders: string[] = []
    for (const { name, root, manifest } of plugins) {
      const declared = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]
      for (const specifier of [...loadedPackages(name, root), ...declared]) {
        const allowed = [...PLUGIN_MAY_TAKE, ...(BUILT_ON[name] ?? [])]
        // A setting composed on: declared as a peer, so the host's copy is the one loaded.
        const composedOn = isSetting(specifier) && specifier in (manifest.peerDependencies ?? {}) && !name.startsWith('agent-')
        // A plugin oclif loads beside it (builtins nests the team setting): named, never imported.
        const nested = manifest.oclif?.plugins?.includes(specifier) === true && !loadedPackages(name, root).has(specifier)
        if (specifier.startsWith('@cooperbench/') && !allowed.includes(packageOf(specifier)) && !composedOn && !nested) offenders.push(`${name} → ${specifier}`)
      }
    }
    expect([...new Set(offenders)]).toEqual([])
  })

  it('core loads no plugin: what it shares with the default evaluator comes from the spec and its helpers', () => {
    const plugins = new Set(pluginsIn(PACKAGES).map(({ name }) => `@cooperbench/${name}`))
    expect([...plugins]).toEqual(expect.arrayContaining(['@cooperbench/builtins', '@cooperbench/evaluator-default']))
    const loaded = [...loadedPackages('core')].map(packageOf).filter((name) => plugins.has(name))
    expect(loaded).toEqual([])
  })

  it('core neither declares nor loads @cooperbench/builtins at run time (its tests take the memory bus from it)', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGES, 'core/package.json'), 'utf8')) as Manifest
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('@cooperbench/builtins')
    expect(Object.keys(manifest.peerDependencies ?? {})).not.toContain('@cooperbench/builtins')
    expect([...loadedPackages('core')].map(packageOf)).not.toContain('@cooperbench/builtins')
  })

  it('reporting sits beside core, never under it: core loads no @cooperbench/report, the report package only run folders, the configuration (fingerprints), the spec and its helpers', () => {
    expect([...loadedPackages('core')].map(packageOf)).not.toContain('@cooperbench/report')
    const fromCooperbench = [...loadedPackages('report')].map(packageOf).filter((name) => name.startsWith('@cooperbench/'))
    expect([...new Set(fromCooperbench)].sort()).toEqual(['@cooperbench/config', '@cooperbench/results', '@cooperbench/spec', '@cooperbench/spec-utils'])
  })

  it('the configuration and run folders sit under core: each loads only the spec and its helpers (and its own libraries)', () => {
    for (const pkg of ['config', 'results']) {
      const fromCooperbench = [...loadedPackages(pkg)].map(packageOf).filter((name) => name.startsWith('@cooperbench/'))
      expect([...new Set(fromCooperbench)].sort(), pkg).toEqual(['@cooperbench/spec', '@cooperbench/spec-utils'])
    }
  })

  it('the dataset format sits on core, never under it: core neither declares nor loads @cooperbench/dataset, which loads only core, the configuration, the spec and its helpers', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGES, 'core/package.json'), 'utf8')) as Manifest & { devDependencies?: Record<string, string> }
    const declared = [manifest.dependencies, manifest.peerDependencies, manifest.devDependencies].flatMap((deps) => Object.keys(deps ?? {}))
    expect(declared).not.toContain('@cooperbench/dataset')
    expect([...loadedPackages('core')].map(packageOf)).not.toContain('@cooperbench/dataset')
    const fromCooperbench = [...loadedPackages('dataset')].map(packageOf).filter((name) => name.startsWith('@cooperbench/'))
    expect([...new Set(fromCooperbench)].sort()).toEqual(['@cooperbench/config', '@cooperbench/core', '@cooperbench/spec', '@cooperbench/spec-utils'])
  })
})

/** Every source file of a package, as text. */
function sources(pkg: string): Array<{ file: string; text: string }> {
  return readdirSync(join(PACKAGES, pkg, 'src'), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => ({ file: join(entry.parentPath, entry.name).slice(PACKAGES.length + 1), text: readFileSync(join(entry.parentPath, entry.name), 'utf8') }))
}

const AGENTS = readdirSync(PACKAGES).filter((name) => name.startsWith('agent-'))

describe('coordination reaches agents as a surface, not as a setting they know', () => {
  it('no agent package and not the CLI names a setting package in its manifest', () => {
    expect(AGENTS.length).toBeGreaterThanOrEqual(4)
    for (const pkg of [...AGENTS, 'cli']) {
      const manifest = JSON.parse(readFileSync(join(PACKAGES, pkg, 'package.json'), 'utf8')) as Record<string, unknown>
      const named = ['dependencies', 'peerDependencies', 'devDependencies', 'optionalDependencies'].flatMap((key) =>
        Object.keys((manifest[key] as Record<string, string> | undefined) ?? {}),
      )
      expect(named.filter(isSetting), pkg).toEqual([])
    }
  })

  it("no agent source names a setting's package, configuration key or flag", () => {
    const offenders = AGENTS.flatMap(sources).filter(({ text }) => /@cooperbench\/setting-|settings\.[a-z]+\.|--(team|handoff)-/.test(text))
    expect(offenders.map(({ file }) => file)).toEqual([])
  })

  it('the spec exports no name of one setting (team, task list, lead)', () => {
    const declarations = builtFiles(join(PACKAGES, 'spec/dist'))
      .filter((file) => file.endsWith('.js'))
      .map((file) => readFileSync(file.replace(/\.js$/, '.d.ts'), 'utf8'))
      .join('\n')
    const exported = [...declarations.matchAll(/export (?:declare )?(?:interface|type|const|function|class) (\w+)/g)].map((m) => m[1]!)
    expect(exported.length).toBeGreaterThan(50)
    expect(exported.filter((name) => /team|tasklist|lead/i.test(name))).toEqual([])
  })

  it("the report and the viewer hold no 'team' literal: what a setting shows comes from its reporter", () => {
    const viewer = readdirSync(join(PACKAGES, 'viewer/app/src'), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.tsx?$/.test(file))
      .map((file) => ({ file: `viewer/app/src/${file}`, text: readFileSync(join(PACKAGES, 'viewer/app/src', file), 'utf8') }))
    const all = [...sources('report'), ...sources('viewer'), ...viewer]
    expect(all.length).toBeGreaterThan(40)
    expect(all.filter(({ text }) => /['"]team['"]/.test(text)).map(({ file }) => file)).toEqual([])
  })
})
