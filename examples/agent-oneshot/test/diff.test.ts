import { describe, expect, it } from 'vitest'
import { diffPaths, extractDiff, fencedBlocks, NoDiffFoundError, normalizeDiff } from '../src/diff.js'

const CALC_DIFF = [
  '--- a/calc.py',
  '+++ b/calc.py',
  '@@ -1,2 +1,5 @@',
  ' def add(a, b):',
  '     return a + b',
  '+',
  '+def sub(a, b):',
  '+    return a - b',
  '',
].join('\n')
const README_DIFF = ['--- a/README.md', '+++ b/README.md', '@@ -1 +1,2 @@', ' # calc', '+Now with sub.', ''].join('\n')

describe('extractDiff', () => {
  it('takes the diff out of a ```diff block and leaves the prose around it', () => {
    const reply = `Sure! Here is the change:\n\n\`\`\`diff\n${CALC_DIFF}\`\`\`\n\nThis adds \`sub\`.`
    expect(extractDiff(reply)).toBe(CALC_DIFF)
  })

  it('joins several diff blocks in order (one block per file)', () => {
    const reply = `First:\n\`\`\`diff\n${CALC_DIFF}\`\`\`\nThen the docs:\n\`\`\`patch\n${README_DIFF}\`\`\``
    expect(extractDiff(reply)).toBe(CALC_DIFF + README_DIFF)
    expect(diffPaths(extractDiff(reply))).toEqual(['calc.py', 'README.md'])
  })

  it('ignores fenced blocks that are not diffs, whatever their info string', () => {
    const reply = `The new function:\n\`\`\`python\ndef sub(a, b):\n    return a - b\n\`\`\`\nAs a diff:\n\`\`\`\n${CALC_DIFF}\`\`\``
    expect(extractDiff(reply)).toBe(CALC_DIFF)
  })

  it('finds an unfenced diff and drops the prose after it', () => {
    const reply = `Here you go.\n\n${CALC_DIFF}\nLet me know if you need anything else.\n`
    expect(extractDiff(reply)).toBe(CALC_DIFF)
  })

  it('reads an unclosed fence (a reply cut at the token limit) up to the end', () => {
    expect(extractDiff(`\`\`\`diff\n${CALC_DIFF}`)).toBe(CALC_DIFF)
  })

  it('fails with a message that says what was expected when there is no diff', () => {
    const reply = 'I would add a `sub` function to calc.py:\n```python\ndef sub(a, b):\n    return a - b\n```'
    expect(() => extractDiff(reply)).toThrow(NoDiffFoundError)
    expect(() => extractDiff(reply)).toThrow(/no unified diff.*```diff fenced block.*--- a\/<path>.*\+\+\+ b\/<path>.*@@/)
    expect(() => extractDiff('')).toThrow(NoDiffFoundError)
  })
})

describe('normalizeDiff', () => {
  it('adds the a/ and b/ prefixes that patch -p1 strips, but not to /dev/null', () => {
    const diff = ['--- src/new.py', '+++ src/new.py', '@@ -0,0 +1 @@', '+x = 1'].join('\n')
    expect(normalizeDiff(diff)).toBe(['--- a/src/new.py', '+++ b/src/new.py', '@@ -0,0 +1 @@', '+x = 1', ''].join('\n'))
    const created = ['--- /dev/null', '+++ b/new.py', '@@ -0,0 +1 @@', '+x = 1', ''].join('\n')
    expect(normalizeDiff(created)).toBe(created)
    expect(diffPaths(created)).toEqual(['new.py'])
  })

  it('turns CRLF into LF, restores the space of blank context lines and ends with one newline', () => {
    const diff = ['--- a/f.py', '+++ b/f.py', '@@ -1,3 +1,4 @@', 'a = 1', '', ' b = 2', '+c = 3', '', ''].join('\r\n')
    expect(normalizeDiff(diff)).toBe(['--- a/f.py', '+++ b/f.py', '@@ -1,3 +1,4 @@', 'a = 1', ' ', ' b = 2', '+c = 3', ''].join('\n'))
  })

  it('names a deleted file by its old path', () => {
    expect(diffPaths(['--- a/old.py', '+++ /dev/null', '@@ -1 +0,0 @@', '-x = 1', ''].join('\n'))).toEqual(['old.py'])
  })
})

describe('fencedBlocks', () => {
  it('does not close a block on a fence line that carries an info string', () => {
    expect(fencedBlocks('````md\n```diff\ninner\n```\n````\n')).toEqual(['```diff\ninner\n```'])
  })
})

describe('extractDiff on a Markdown file', () => {
  it('keeps going past a context line that is a fence of the file itself', () => {
    const diff = ['--- a/README.md', '+++ b/README.md', '@@ -1,4 +1,5 @@', ' Usage:', ' ```', ' calc add 1 2', '+calc sub 3 1', ' ```', ''].join('\n')
    expect(extractDiff(`\`\`\`diff\n${diff}\`\`\``)).toBe(diff)
  })
})
