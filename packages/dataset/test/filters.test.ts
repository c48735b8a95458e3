import { describe, expect, it } from 'vitest'
import { parseFeatureList } from '../src/filters.js'

describe('parseFeatureList (-f)', () => {
  it('sorts ascending and drops duplicates', () => {
    expect(parseFeatureList('3,1')).toEqual([1, 3])
    expect(parseFeatureList(' 10, 2 ')).toEqual([2, 10])
    expect(parseFeatureList('2,2')).toEqual([2])
  })

  it.each([
    ['', /-f\/--features is empty/],
    ['1,', /contains an empty entry/],
    ['1,x', /contains "x", which is not a feature id/],
    ['1.5,2', /contains "1.5", which is not a feature id/],
    ['-1,2', /contains "-1", which is not a feature id/],
  ])('rejects %j with a USAGE error', (text, message) => {
    expect(() => parseFeatureList(text)).toThrow(message)
    expect(() => parseFeatureList(text)).toThrow(expect.objectContaining({ code: 'USAGE', hint: expect.stringContaining('-f 1,2') }))
  })
})
