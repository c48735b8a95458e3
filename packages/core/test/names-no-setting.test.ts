import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/**
 * Core runs any setting without knowing one (docs/architecture.md, "Collaboration settings"): no setting's name as a string in
 * its code, no import of a setting's package, and it stays small. Comments may name them; the compiler's parse tells code from comment.
 */
const SOURCE = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'src')
const FIRST_PARTY_SETTINGS = new Set(['coop', 'solo', 'team', 'sequential'])
const files = readdirSync(SOURCE, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))

/** Every string in a file's code (literals and the fixed parts of templates), with its line. */
function stringsOf(file: string): { text: string; where: string }[] {
  const source = ts.createSourceFile(file, readFileSync(join(SOURCE, file), 'utf8'), ts.ScriptTarget.Latest, true)
  const found: { text: string; where: string }[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      found.push({ text: node.text, where: `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}` })
    }
    node.forEachChild(visit)
  }
  visit(source)
  return found
}

describe('packages/core/src names no setting', () => {
  it("has no first-party setting's name as a string, and imports no setting package", () => {
    const named = files.flatMap(stringsOf).filter(({ text }) => FIRST_PARTY_SETTINGS.has(text) || /^@cooperbench\/setting-/.test(text))
    expect(named.map(({ text, where }) => `${where} '${text}'`)).toEqual([])
  })

  it('is at most 5,500 source lines', () => {
    const lines = files.reduce((sum, file) => sum + readFileSync(join(SOURCE, file), 'utf8').split('\n').length - 1, 0)
    expect(lines, relative(process.cwd(), SOURCE)).toBeLessThanOrEqual(5_500)
  })
})
