import { describe, expect, it } from 'vitest'
import { firstPrintedLine } from '../src/first-printed-line.js'

describe('firstPrintedLine', () => {
  it('is the first line that is not blank, trimmed, and cut to 300 characters; empty for none', () => {
    expect(firstPrintedLine('\n  \n  bwrap: no  \nmore\n')).toBe('bwrap: no')
    expect(firstPrintedLine('x'.repeat(400))).toBe('x'.repeat(300))
    expect(firstPrintedLine(' \n\n')).toBe('')
    expect(firstPrintedLine('')).toBe('')
  })
})
