import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * `@cooperbench/spec` is what every plugin peer-depends on, so it must cost nothing to take:
 * no runtime dependency, and nothing in its built code that loads a package. The backend kit
 * may take only the spec. Checked on the built files, as published.
 */
const PACKAGES = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

function builtFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name))
}

/** Every module specifier the built code of a package loads, except its own relative files. */
function loadedPackages(pkg: string): Set<string> {
  const specifiers = new Set<string>()
  for (const file of builtFiles(join(PACKAGES, pkg, 'dist'))) {
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) {
      const specifier = match[1]!
      if (!specifier.startsWith('.')) specifiers.add(specifier)
    }
  }
  return specifiers
}

const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier)

describe('what the contracts and the kit cost a plugin', () => {
  it('@cooperbench/spec declares no dependencies and its code loads no package', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGES, 'spec/package.json'), 'utf8')) as Record<string, unknown>
    expect(manifest['dependencies'] ?? {}).toEqual({})
    expect(manifest['peerDependencies'] ?? {}).toEqual({})
    const loaded = [...loadedPackages('spec')]
    expect(loaded.filter((specifier) => !isBuiltin(specifier))).toEqual([])
  })

  it('@cooperbench/backend-kit loads only the spec and node built-ins', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGES, 'backend-kit/package.json'), 'utf8')) as Record<string, Record<string, string>>
    expect(Object.keys(manifest['dependencies'] ?? {})).toEqual([])
    expect(Object.keys(manifest['peerDependencies'] ?? {})).toEqual(['@cooperbench/spec'])
    const loaded = [...loadedPackages('backend-kit')].filter((specifier) => !isBuiltin(specifier))
    expect(loaded).toEqual(['@cooperbench/spec'])
  })

  it('every first-party plugin loads only the spec and the kit from @cooperbench', () => {
    const plugins = readdirSync(PACKAGES).filter((name) => /^(agent|backend|bus)-/.test(name) && name !== 'backend-kit')
    expect(plugins.length).toBeGreaterThanOrEqual(8)
    const offenders: string[] = []
    for (const plugin of plugins) {
      for (const specifier of loadedPackages(plugin)) {
        if (specifier.startsWith('@cooperbench/') && !['@cooperbench/spec', '@cooperbench/backend-kit'].includes(specifier))
          offenders.push(`${plugin} → ${specifier}`)
      }
    }
    // mini-swe validates its options with core's validator until plugin options are declared once (issue 24.3).
    expect(offenders.filter((offender) => offender !== 'agent-mini-swe → @cooperbench/core')).toEqual([])
  })
})
