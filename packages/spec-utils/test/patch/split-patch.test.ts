import { describe, expect, it } from 'vitest'
import { patchPaths, splitPatch } from '../../src/patch/index.js'

const modify = (path: string): string =>
  [`diff --git a/${path} b/${path}`, 'index 1111111..2222222 100644', `--- a/${path}`, `+++ b/${path}`, '@@ -1 +1 @@', '-old', '+new', ''].join('\n')

const joined = (patch: string): string =>
  splitPatch(patch)
    .map((s) => s.text)
    .join('')

describe('splitPatch', () => {
  it('splits at diff --git lines and reads the paths', () => {
    const sections = splitPatch(modify('mux.go') + modify('src/jinja2/loaders.py'))
    expect(sections.map((s) => [s.header, s.oldPath, s.newPath])).toEqual([
      ['diff --git a/mux.go b/mux.go', 'mux.go', 'mux.go'],
      ['diff --git a/src/jinja2/loaders.py b/src/jinja2/loaders.py', 'src/jinja2/loaders.py', 'src/jinja2/loaders.py'],
    ])
    expect(sections[0]!.text).toBe(modify('mux.go'))
  })

  it('reproduces its input byte for byte', () => {
    const inputs = [
      '',
      '\n\n',
      modify('a.py'),
      `From 1234 Mon Sep 17 00:00:00 2001\nSubject: fix\n\n${modify('a.py')}${modify('b.py')}`,
      modify('a.py').replaceAll('\n', '\r\n'),
      `${modify('a.py')}\\ No newline at end of file\n${modify('b.py').slice(0, -1)}`,
      // the tests.patch shape of huggingface_datasets 6252: a stray whitespace line, no final newline
      `${modify('tests/io/test_parquet.py')}   `,
    ]
    for (const input of inputs) expect(joined(input)).toBe(input)
  })

  it('keeps a preamble as a section without header or paths', () => {
    const [preamble, file] = splitPatch(`note\n${modify('x.go')}`)
    expect(preamble).toEqual({ header: '', oldPath: null, newPath: null, text: 'note\n' })
    expect(file?.newPath).toBe('x.go')
  })

  it('does not split at "diff --git" inside a line or after a bare carriage return', () => {
    const patch = `${modify('a.py').replace('+new', '+x = "diff --git a/b b/b"\rdiff --git a/c b/c')}`
    expect(splitPatch(patch)).toHaveLength(1)
  })

  it('new and deleted files have a null side', () => {
    const created = 'diff --git a/new.go b/new.go\nnew file mode 100644\nindex 0000000..e69de29\n--- /dev/null\n+++ b/new.go\n@@ -0,0 +1 @@\n+package chi\n'
    const emptyNew = 'diff --git a/empty.txt b/empty.txt\nnew file mode 100644\nindex 0000000..e69de29\n'
    const deleted = 'diff --git a/old.go b/old.go\ndeleted file mode 100644\nindex e69de29..0000000\n'
    expect(splitPatch(created + emptyNew + deleted).map((s) => [s.oldPath, s.newPath])).toEqual([
      [null, 'new.go'],
      [null, 'empty.txt'],
      ['old.go', null],
    ])
  })

  it('renames take their paths from rename from/to', () => {
    const patch = 'diff --git a/src/old name.py b/src/new name.py\nsimilarity index 100%\nrename from src/old name.py\nrename to src/new name.py\n'
    expect(splitPatch(patch)[0]).toMatchObject({ oldPath: 'src/old name.py', newPath: 'src/new name.py' })
  })

  it('handles unquoted names with spaces and C-quoted names', () => {
    const spaced =
      'diff --git a/docs/with space.md b/docs/with space.md\nindex 1..2 100644\n--- a/docs/with space.md\t\n+++ b/docs/with space.md\t\n@@ -1 +1 @@\n-a\n+b\n'
    const quoted = 'diff --git "a/t\\303\\251st\\tx.py" "b/t\\303\\251st\\tx.py"\nnew file mode 100644\nindex 0000000..e69de29\n'
    const modeOnly = 'diff --git a/b b/b b/b b/b\nold mode 100644\nnew mode 100755\n'
    expect(splitPatch(spaced + quoted + modeOnly).map((s) => [s.oldPath, s.newPath])).toEqual([
      ['docs/with space.md', 'docs/with space.md'],
      [null, 'tést\tx.py'],
      ['b b/b', 'b b/b'],
    ])
  })

  it('ignores --- lines inside hunks', () => {
    const patch = 'diff --git a/README.md b/README.md\nindex 1..2 100644\n--- a/README.md\n+++ b/README.md\n@@ -1,2 +1,1 @@\n--- a/other.md\n context\n'
    expect(splitPatch(patch)[0]).toMatchObject({ oldPath: 'README.md', newPath: 'README.md' })
  })
})

describe('patchPaths', () => {
  it('lists distinct paths without /dev/null', () => {
    const created =
      'diff --git a/path_value_test.go b/path_value_test.go\nnew file mode 100644\n--- /dev/null\n+++ b/path_value_test.go\n@@ -0,0 +1 @@\n+package chi\n'
    expect(patchPaths(modify('mux_test.go') + created + modify('mux_test.go'))).toEqual(['mux_test.go', 'path_value_test.go'])
  })
})
