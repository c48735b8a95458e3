import { describe, expect, it } from 'vitest'
import { PluginRegistry } from '../../src/plugin/registry.js'

/**
 * [coreRange, core version, accepted]: npm's reading of ranges (node-semver, default options),
 * as plugins' authors expect from their package.json.
 */
const TABLE: Array<[string, string, boolean]> = [
  // exact and `=`
  ['1.2.3', '1.2.3', true],
  ['1.2.3', '1.2.4', false],
  ['=1.2.3', '1.2.3', true],
  ['v1.2.3', '1.2.3', true],
  ['1.2.3', 'v1.2.3', true],
  ['1.2.3', '1.2.3+build.5', true],
  // comparators
  ['>=1.2.3', '1.2.3', true],
  ['>=1.2.3', '1.2.2', false],
  ['>1.2.3', '1.2.3', false],
  ['>1.2.3', '1.2.4', true],
  ['<1.2.3', '1.2.2', true],
  ['<1.2.3', '1.2.3', false],
  ['<=1.2.3', '1.2.3', true],
  ['<=1.2.3', '1.2.4', false],
  ['>= 1.2.3', '1.5.0', true],
  ['>=1.0.0 <2.0.0', '1.9.9', true],
  ['>=1.0.0 <2.0.0', '2.0.0', false],
  ['>=0.1 <0.3', '0.1.0', true],
  ['>=0.1 <0.3', '0.2.9', true],
  ['>=0.1 <0.3', '0.3.0', false],
  ['>=0.1 <0.3', '0.0.9', false],
  // x-ranges and partial comparators
  ['*', '1.2.3', true],
  ['', '0.0.1', true],
  ['x', '9.9.9', true],
  ['1', '1.9.9', true],
  ['1', '2.0.0', false],
  ['1.x', '1.0.0', true],
  ['1.x', '0.9.9', false],
  ['1.2.x', '1.2.9', true],
  ['1.2.x', '1.3.0', false],
  ['1.2.*', '1.2.0', true],
  ['1.X', '1.4.0', true],
  ['>1', '1.9.9', false],
  ['>1', '2.0.0', true],
  ['>1.2', '1.2.9', false],
  ['>1.2', '1.3.0', true],
  ['>=1.2', '1.2.0', true],
  ['<1.2', '1.1.9', true],
  ['<1.2', '1.2.0', false],
  ['<=1.2', '1.2.9', true],
  ['<=1.2', '1.3.0', false],
  ['<=1', '1.9.9', true],
  ['<=1', '2.0.0', false],
  ['>*', '1.0.0', false],
  ['<*', '1.0.0', false],
  ['>=*', '1.0.0', true],
  // caret
  ['^1.2.3', '1.2.3', true],
  ['^1.2.3', '1.9.0', true],
  ['^1.2.3', '2.0.0', false],
  ['^1.2.3', '1.2.2', false],
  ['^0.2.3', '0.2.9', true],
  ['^0.2.3', '0.3.0', false],
  ['^0.0.3', '0.0.3', true],
  ['^0.0.3', '0.0.4', false],
  ['^0.1.0', '0.1.0', true],
  ['^0.1.0', '0.1.7', true],
  ['^0.1.0', '0.2.0', false],
  ['^1.2', '1.9.0', true],
  ['^1.2', '1.1.0', false],
  ['^1.x', '1.0.0', true],
  ['^1.x', '2.0.0', false],
  ['^0.x', '0.9.0', true],
  ['^0.x', '1.0.0', false],
  ['^0.0.x', '0.0.9', true],
  ['^0.0.x', '0.1.0', false],
  ['^0.0', '0.0.5', true],
  ['^0.0', '0.1.0', false],
  ['^0', '0.9.9', true],
  ['^0', '1.0.0', false],
  ['^9.0.0', '0.1.0', false],
  ['^*', '3.0.0', true],
  // tilde
  ['~1.2.3', '1.2.9', true],
  ['~1.2.3', '1.3.0', false],
  ['~1.2.3', '1.2.2', false],
  ['~1.2', '1.2.0', true],
  ['~1.2', '1.3.0', false],
  ['~1', '1.9.0', true],
  ['~1', '2.0.0', false],
  ['~0.2.3', '0.2.5', true],
  ['~0.2.3', '0.3.0', false],
  ['~0', '0.9.0', true],
  ['~> 1.2.3', '1.2.5', true],
  // hyphen ranges
  ['1.2.3 - 2.3.4', '1.2.3', true],
  ['1.2.3 - 2.3.4', '2.3.4', true],
  ['1.2.3 - 2.3.4', '2.3.5', false],
  ['1.2 - 2.3.4', '1.2.0', true],
  ['1.2 - 2.3.4', '1.1.9', false],
  ['1.2.3 - 2.3', '2.3.9', true],
  ['1.2.3 - 2.3', '2.4.0', false],
  ['1.2.3 - 2', '2.9.9', true],
  ['1.2.3 - 2', '3.0.0', false],
  ['1 - 2', '1.0.0', true],
  ['0.1.0 - 0.1.x', '0.1.5', true],
  // ||
  ['^0.1.0 || ^1.0.0', '1.4.0', true],
  ['^0.1.0 || ^1.0.0', '0.1.2', true],
  ['^0.1.0 || ^1.0.0', '0.5.0', false],
  ['1.2.3 || >=2.0.0 <2.1.0', '2.0.5', true],
  ['<1.0.0 || >=2.0.0', '1.5.0', false],
  ['1.x || 3.x', '3.1.0', true],
  // pre-releases
  ['^1.2.3', '2.0.0-alpha', false],
  ['^1.2.3', '1.5.0-beta', false],
  ['^1.2.3-beta.2', '1.2.3-beta.3', true],
  ['^1.2.3-beta.2', '1.2.3-beta.1', false],
  ['^1.2.3-beta.2', '1.2.4-beta.3', false],
  ['^1.2.3-beta.2', '1.9.0', true],
  ['>=0.1.0', '0.2.0-next.1', false],
  ['>=0.2.0-next.0', '0.2.0-next.1', true],
  ['>=0.2.0-next.0', '0.2.0', true],
  ['<0.2.0', '0.2.0-next.1', false],
  ['*', '1.0.0-rc.1', false],
  ['1.0.0-rc.1', '1.0.0-rc.1', true],
  ['>1.0.0-alpha', '1.0.0-alpha.1', true],
  ['>1.0.0-alpha.1', '1.0.0-alpha.beta', true],
  ['>1.0.0-alpha.beta', '1.0.0-beta', true],
  ['>1.0.0-beta.2', '1.0.0-beta.11', true],
  ['>1.0.0-beta.11', '1.0.0-rc.1', true],
  ['<1.0.0-rc.1', '1.0.0-rc.0', true],
  ['~1.2.3-rc.1', '1.2.3', true],
]

function check(range: string, coreVersion: string): void {
  new PluginRegistry({ coreVersion }).checkCompatibility({ name: 'a-plugin', version: '1.0.0', coreRange: range })
}

describe("a plugin's coreRange against the host core", () => {
  it.each(TABLE)('%j accepts core %s: %s', (range, version, expected) => {
    if (expected) expect(() => check(range, version)).not.toThrow()
    else expect(() => check(range, version)).toThrow(expect.objectContaining({ code: 'PLUGIN_INCOMPATIBLE' }))
  })

  it('refuses ranges it cannot read as PLUGIN_FAILED, naming the range', () => {
    for (const bad of ['^', '>=', '1.2.3.4', 'abc', '>=01.2.3', 'latest']) {
      expect(() => check(bad, '0.1.0'), bad).toThrow(expect.objectContaining({ code: 'PLUGIN_FAILED', message: expect.stringContaining(`"${bad}"`) }))
    }
    expect(() => new PluginRegistry().checkCompatibility({ name: 'p', version: '1.0.0', coreRange: 5 as never })).toThrow(/coreRange must be a string/)
    for (const good of ['^0.1.0', '>=0.1 <0.3', '0.0.1 - 2', '~0 || ^2.x', '*', '', ' >= 0.1.0  < 2 ']) expect(() => check(good, '0.1.0'), good).not.toThrow()
  })

  it('says whether the plugin is newer or older than this core', () => {
    const hint = (range: string, version: string) => {
      try {
        check(range, version)
        return 'accepted'
      } catch (error) {
        return String((error as { hint?: string }).hint)
      }
    }
    expect(hint('^9.0.0', '0.1.0')).toMatch(/newer than this cooperbench/)
    expect(hint('>=0.2 <0.4', '0.1.0')).toMatch(/newer than this cooperbench/)
    expect(hint('>=0.2 <0.4', '0.5.0')).toMatch(/older than this cooperbench/)
    expect(hint('^0.1.0 || ^0.2.0', '0.5.0')).toMatch(/older than this cooperbench/)
    expect(hint('0.2.x', '0.3.0')).toMatch(/older than this cooperbench/)
    expect(hint('^0.1.0', '0.1.5')).toBe('accepted')
    expect(hint('<1.0.0 || >=2.0.0', '1.5.0')).toMatch(/^Install a release of a-plugin/)
  })
})
