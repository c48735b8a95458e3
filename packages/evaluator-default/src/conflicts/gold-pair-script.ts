import {
  applyFunctions,
  branchFunction,
  branchStep,
  checkoutBaseStep,
  doneStep,
  joinScript,
  mergeChain,
  reportPatchFilesStep,
  resolveBaseStep,
  scriptPrelude,
} from '../evaluator/shell.js'

/** The gold patch of the pair's `n`th feature (1-based) in `/patches`. */
export function goldFile(n: number): string {
  return `gold${n}.patch`
}

/**
 * One pair of the gold conflict check (docs/reference-compatibility.md#gold-conflicts): branches from BASE with the gold patches
 * (`--ignore-whitespace`, then `--3way`), a naive merge into the last, printed as `merge=clean|conflicts`. The repository is left
 * at BASE for the next pair; `base` is the commit a previous pair resolved in the same sandbox.
 */
export function buildGoldPairScript(base?: string, pairSize = 2): string {
  const branches = Array.from({ length: pairSize }, (_, i) => `agent${i + 1}`)
  const target = branches[branches.length - 1]!
  const sources = branches.slice(0, -1)
  const merge =
    sources.length === 1
      ? [
          `cb_git checkout -q -f ${target} || cb_fail checkout-${target}`,
          `if cb_git merge -q --no-commit --no-ff ${sources[0]}; then cb_mark merge clean; else cb_mark merge conflicts; fi`,
          'cb_git merge --abort >/dev/null 2>&1',
        ]
      : [
          `cb_git checkout -q -f ${target} || cb_fail checkout-${target}`,
          'cb_merge=clean',
          mergeChain(sources, 'cb_merge', 'Temp merge', 'commit-merge', []),
          'cb_mark merge "$cb_merge"',
        ]
  return joinScript(
    scriptPrelude(),
    reportPatchFilesStep(branches.map((_, i) => goldFile(i + 1))),
    resolveBaseStep(base),
    applyFunctions(['--ignore-whitespace']),
    branchFunction(),
    checkoutBaseStep(),
    ...branches.map((branch, i) => branchStep({ branch, patch: goldFile(i + 1), message: `Agent ${i + 1} changes` })),
    ...merge,
    'cb_git checkout -q -f --detach "$BASE" && cb_git reset -q --hard "$BASE"',
    doneStep(),
  )
}
