import { describe, expect, it } from 'vitest'
import { filterTestFiles, isTestPath, matchesReferenceRule } from '../../src/patch/index.js'

const modify = (path: string): string =>
  `diff --git a/${path} b/${path}\nindex 1111111..2222222 100644\n--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-old\n+new\n`

describe('filterTestFiles (docs/reference-compatibility.md#evaluation)', () => {
  it('drops test files of every language and keeps ordinary sources byte-exact', () => {
    const patch = ['src/jinja2/loaders.py', 'mux_test.go', 'src/__tests__/x.test.tsx', 'tests/suite/foundations/str.typ', 'Tests/test_x.py', 'mux.go']
      .map(modify)
      .join('')
    const result = filterTestFiles(patch, [])
    expect(result.patch).toBe(modify('src/jinja2/loaders.py') + modify('mux.go'))
    expect(result.dropped).toEqual(['mux_test.go', 'src/__tests__/x.test.tsx', 'tests/suite/foundations/str.typ', 'Tests/test_x.py'])
  })

  it("drops any path touched by the features' tests patches", () => {
    const patch = modify('testdata/fixture.json') + modify('mux.go')
    const result = filterTestFiles(patch, ['testdata/fixture.json'])
    expect(result).toEqual({ patch: modify('mux.go'), dropped: ['testdata/fixture.json'] })
  })

  it('keeps the reference substring rule on the whole header line', () => {
    // Not a test path by the language rules, but the reference dropped it, so we do too.
    expect(filterTestFiles(modify('src/testing/test_utils.rs'), []).dropped).toEqual(['src/testing/test_utils.rs'])
    expect(filterTestFiles(modify('django/contrib/tests.py'), []).patch).toBe('')
  })

  it('checks both sides of a rename', () => {
    const rename = 'diff --git a/tests/helper.py b/src/helper.py\nsimilarity index 100%\nrename from tests/helper.py\nrename to src/helper.py\n'
    expect(filterTestFiles(rename, [])).toEqual({ patch: '', dropped: ['tests/helper.py', 'src/helper.py'] })
  })

  it('keeps a textual preamble and drops a blank one', () => {
    expect(filterTestFiles(`Subject: fix\n\n${modify('a.go')}`, []).patch).toBe(`Subject: fix\n\n${modify('a.go')}`)
    expect(filterTestFiles(`\n\n${modify('a.go')}`, []).patch).toBe(modify('a.go'))
  })

  it('leaves a patch without test files unchanged, CRLF and missing newline included', () => {
    const patch = (modify('a.py') + modify('b.py')).replaceAll('\n', '\r\n').slice(0, -2)
    expect(filterTestFiles(patch, ['c.py'])).toEqual({ patch, dropped: [] })
  })
})

describe('isTestPath', () => {
  it.each([
    'tests/test_loader.py',
    'llama-index-core/tests/base/llms/test_types.py',
    'pkg/test/helpers.rs',
    'src/__tests__/useForm/handleSubmit.test.tsx',
    'test_feature1.py',
    'pkg/cache_test.py',
    'conftest.py',
    'middleware/throttle_test.go',
    'lib/a.spec.ts',
    'lib/a.test.mjs',
    'lib/a.spec.cts',
    // Upstream 0.0.28's patterns, every language:
    'metrics_test.rs',
    'src/test_utils.rs',
    'lib/a.test.json',
    'src/main/java/FooTest.java',
    'Project/BarTests.cs',
    'app/spec/models/user_spec.rb',
    'pkg/testdata/golden.txt',
    'django/contrib/tests.py',
    'test.py',
  ])('%s is a test path', (path) => expect(isTestPath(path)).toBe(true))

  it.each([
    'src/jinja2/loaders.py',
    'mux.go',
    'src/useForm.ts',
    'testing.go',
    'src/latest/x.py',
    'tests',
    'Tests/helper.py',
    'contest/x.py',
    'protest.py',
    'latest.py',
    'pytest_helper.py',
    'src/Testing.java',
    'specs/a.rb',
  ])('%s is not a test path', (path) => expect(isTestPath(path)).toBe(false))
})

describe('matchesReferenceRule', () => {
  it('is the Python-centric substring rule', () => {
    expect(matchesReferenceRule('diff --git a/tests/test_loader.py b/tests/test_loader.py')).toBe(true)
    // Why the fix was needed: Go and JS test files slip through the reference rule.
    expect(matchesReferenceRule('diff --git a/mux_test.go b/mux_test.go')).toBe(false)
    expect(matchesReferenceRule('diff --git a/src/__tests__/x.test.tsx b/src/__tests__/x.test.tsx')).toBe(false)
  })
})
