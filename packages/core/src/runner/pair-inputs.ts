import { access, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { type Pair, CooperbenchError } from '@cooperbench/spec'

/**
 * Refuses, before any agent spends money, pairs lacking a feature's spec, hidden tests or `runner.sh` (the dataset's defect), or
 * with a blank `feature.md` (no task) or, when evaluating, `tests.patch` (judges nothing): the pair would end as a dataset error.
 */
export async function ensurePairInputs(pairs: Pair[], needsTests: boolean): Promise<void> {
  const required = ['feature.md', ...(needsTests ? ['tests.patch'] : [])]
  const missing = new Set<string>()
  const empty = new Set<string>()
  const checked = new Set<string>()
  for (const pair of pairs) {
    const runner = join(pair.task.dir, 'runner.sh')
    if (needsTests && !missing.has(runner)) await access(runner).catch(() => missing.add(runner))
    for (const id of pair.features) {
      const feature = pair.task.features.find((f) => f.id === id)
      for (const file of required) {
        const path = feature ? join(feature.dir, file) : join(pair.task.dir, `feature${id}`, file)
        if (checked.has(path)) continue
        checked.add(path)
        try {
          await access(path)
        } catch {
          missing.add(path)
          continue
        }
        if ((await readFile(path, 'utf8')).trim() === '') empty.add(path)
      }
    }
  }
  if (empty.size > 0 && missing.size === 0) {
    const paths = [...empty]
    const specs = paths.filter((path) => basename(path) === 'feature.md')
    const tests = paths.filter((path) => basename(path) === 'tests.patch')
    const what = [
      specs.length > 0 ? `${specs.length} feature spec(s) empty, e.g. ${specs[0]}: the agents would have no task` : null,
      tests.length > 0 ? `${tests.length} tests patch(es) empty, e.g. ${tests[0]}: no hidden test would judge the feature` : null,
    ]
    throw new CooperbenchError('DATASET_INVALID', what.filter((part) => part !== null).join('; '), {
      hint: 'Restore the text from the dataset, or leave the affected tasks out with -r/-t/-s; `cooperbench dataset validate` lists every problem.',
      details: paths,
    })
  }
  if (missing.size === 0) return
  const paths = [...missing]
  throw new CooperbenchError('DATASET_INVALID', `${paths.length} required dataset file(s) missing, e.g. ${paths[0]}`, {
    hint: 'Restore the files, or leave the affected tasks out with -r/-t/-s; `cooperbench dataset validate` lists every problem.',
    details: [...paths, ...empty],
  })
}
