import { splitPatch } from './split-patch.js'

/** The reference evaluator's rule, applied to the whole `diff --git` line (kept so its verdicts hold). */
const REFERENCE_SUBSTRINGS = ['/test_', '/tests/', '_test.py', '/test/', 'tests.py']
const TEST_DIRECTORIES = new Set(['tests', 'test', '__tests__', 'spec', 'testdata'])
const TEST_FILE_NAMES = [
  /^conftest\.py$/,
  // Upstream 0.0.28's names (its `eval/sandbox.py` test-file rule), every language alike:
  /^test_./, // test_foo.py, test_helpers.go
  /._test\.[A-Za-z0-9]+$/, // foo_test.go, foo_test.rs, foo_test.py
  /.\.(?:test|spec)\.[A-Za-z0-9]+$/, // foo.test.ts, foo.spec.js
  /Tests?\.(?:java|kt|cs|scala)$/, // FooTest.java, FooTests.cs
  /^tests?\.py$/,
]

/** Whether a `diff --git` header line matches the reference's substring rule. */
export function matchesReferenceRule(header: string): boolean {
  return REFERENCE_SUBSTRINGS.some((s) => header.includes(s))
}

/**
 * Whether a path is a test file: in a `tests`, `test`, `__tests__`, `spec` or `testdata` directory, or a test file name of any language
 * (upstream 0.0.28's `test_*`, `*_test.<ext>`, `*.test.<ext>` / `*.spec.<ext>`, `*Test(s).java|kt|cs|scala`, `test(s).py`; `conftest.py`).
 * `contest/`, `protest.py`, `latest.py`, `pytest_helper.py` are not. Case-sensitive, as the task images' file systems are.
 */
export function isTestPath(path: string): boolean {
  const parts = path.split('/')
  const name = parts.pop() ?? ''
  return parts.some((p) => TEST_DIRECTORIES.has(p)) || TEST_FILE_NAMES.some((re) => re.test(name))
}

/** Result of {@link filterTestFiles}. */
export interface FilteredPatch {
  /** The kept sections, byte-exact and in their original order. */
  patch: string
  /** Distinct old/new paths of the dropped sections, in order of appearance. */
  dropped: string[]
}

/**
 * Drops an agent patch's sections touching test files, so its edits cannot collide with the hidden tests patches (strict runners fail
 * on `git apply`) or weaken them: a header matching the reference substring rule, or a path a tests patch touches (`testsPatchPaths`,
 * e.g. from `patchPaths`) or {@link isTestPath}. A whitespace-only preamble is dropped, any other kept (as the reference).
 */
export function filterTestFiles(patch: string, testsPatchPaths: Iterable<string>): FilteredPatch {
  const protectedPaths = new Set(testsPatchPaths)
  const kept: string[] = []
  const dropped = new Set<string>()
  for (const section of splitPatch(patch)) {
    if (section.header === '') {
      if (section.text.trim() !== '') kept.push(section.text)
      continue
    }
    const paths = [section.oldPath, section.newPath].filter((p): p is string => p !== null)
    const isTest = matchesReferenceRule(section.header) || paths.some((p) => protectedPaths.has(p) || isTestPath(p))
    if (isTest) for (const p of paths) dropped.add(p)
    else kept.push(section.text)
  }
  return { patch: kept.join(''), dropped: [...dropped] }
}
