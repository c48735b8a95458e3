import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { packageVersion } from '../src/index.js'

describe('packageVersion', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  function packageWith(manifest: object): string {
    const root = mkdtempSync(join(tmpdir(), 'cooperbench-package-version-'))
    dirs.push(root)
    writeFileSync(join(root, 'package.json'), JSON.stringify(manifest))
    mkdirSync(join(root, 'dist', 'nested'), { recursive: true })
    return root
  }

  it('reads the nearest package.json above a module, however deep the module is', () => {
    const root = packageWith({ name: 'p', version: '1.2.3' })
    expect(packageVersion(pathToFileURL(join(root, 'dist', 'register.js')).href)).toBe('1.2.3')
    expect(packageVersion(pathToFileURL(join(root, 'dist', 'nested', 'index.js')).href)).toBe('1.2.3')
  })

  it('stops at the nearest package.json even when an outer one has a version', () => {
    const root = packageWith({ name: 'outer', version: '9.9.9' })
    writeFileSync(join(root, 'dist', 'package.json'), JSON.stringify({ version: '0.0.1' }))
    expect(packageVersion(pathToFileURL(join(root, 'dist', 'nested', 'index.js')).href)).toBe('0.0.1')
  })

  it('says which package.json has no version', () => {
    const root = packageWith({ name: 'no-version' })
    expect(() => packageVersion(pathToFileURL(join(root, 'dist', 'index.js')).href)).toThrow(`${join(root, 'package.json')} has no "version"`)
  })

  it("is this package's own version when called from its tests", () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(packageVersion(import.meta.url)).toBe(manifest.version)
  })
})
