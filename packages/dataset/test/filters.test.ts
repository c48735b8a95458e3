import { describe, expect, it } from 'vitest'
import { checkFeatureFilter, parseFeatureList } from '../src/filters.js'

describe('parseFeatureList (-f)', () => {
  it('sorts ascending', () => {
    expect(parseFeatureList('3,1')).toEqual([1, 3])
    expect(parseFeatureList(' 10, 2 ')).toEqual([2, 10])
  })

  it('refuses a feature id named twice with a USAGE error naming it, never running the team without it (-f 1,1,2 is not 1,2)', () => {
    expect(() => parseFeatureList('1,1,2')).toThrow(expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('feature 1 more than once') }))
    expect(() => parseFeatureList('2,2')).toThrow(/feature 2 more than once/)
    expect(() => checkFeatureFilter([3, 1, 3], 2)).toThrow(/feature 3 more than once/)
  })

  it('takes as many ids as --agents says, in order; more ids than that are refused, the hint naming the --agents they need', () => {
    expect(checkFeatureFilter([4, 1, 2], 3)).toEqual([1, 2, 4])
    expect(() => checkFeatureFilter([1, 2, 4], 2)).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        message: expect.stringContaining('got 3 distinct feature ids'),
        hint: expect.stringContaining('add --agents 3'),
      }),
    )
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
