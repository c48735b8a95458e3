import { describe, expect, it } from 'vitest'
import { normalizePatch, repairShellQuotes } from '../../src/evaluator/sanitize.js'

describe('normalizePatch', () => {
  it('turns empty and whitespace-only patches into the empty patch', () => {
    expect(normalizePatch('')).toBe('')
    expect(normalizePatch(' \n\t\r\n')).toBe('')
  })

  it('adds a missing final newline and changes nothing else', () => {
    const body = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+it'\\''s  \n\\ No newline at end of file"
    expect(normalizePatch(body)).toBe(`${body}\n`)
    expect(normalizePatch(`${body}\n`)).toBe(`${body}\n`)
    expect(normalizePatch(`${body}\r\n`)).toBe(`${body}\r\n`)
  })
})

describe('repairShellQuotes', () => {
  it("replaces every '\\'' by a single quote", () => {
    expect(repairShellQuotes("+print('\\''a'\\'', '\\''b'\\'')\n")).toBe("+print('a', 'b')\n")
  })

  it('leaves other backslashes and quotes alone', () => {
    const text = "+s = 'it\\'s'\n+t = \"\\\\''\"\n"
    expect(repairShellQuotes(text)).toBe(text)
  })
})
