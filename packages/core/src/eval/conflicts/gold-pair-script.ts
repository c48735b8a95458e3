import {
  applyFunctions,
  branchFunction,
  branchStep,
  checkoutBaseStep,
  doneStep,
  joinScript,
  reportPatchFilesStep,
  resolveBaseStep,
  scriptPrelude,
} from '../evaluator/shell.js'

export const GOLD_FILES = { patch1: 'gold1.patch', patch2: 'gold2.patch' } as const

/**
 * One pair of the gold conflict check (docs/reference-compatibility.md#gold-conflicts) in one command: branches `agent1`
 * and `agent2` from BASE with the (test-filtered) gold patches applied with
 * `--ignore-whitespace`, falling back to `--3way`; then, on `agent2`, a naive
 * `git merge agent1 --no-commit --no-ff`, printed as `merge=clean|conflicts`. No union
 * merge, no tests. The repository is left at BASE, ready for the next pair; `base` is the
 * commit a previous pair resolved in the same sandbox.
 */
export function buildGoldPairScript(base?: string): string {
  return joinScript(
    scriptPrelude(),
    reportPatchFilesStep([GOLD_FILES.patch1, GOLD_FILES.patch2]),
    resolveBaseStep(base),
    applyFunctions(['--ignore-whitespace']),
    branchFunction(),
    checkoutBaseStep(),
    branchStep({ branch: 'agent1', patch: GOLD_FILES.patch1, message: 'Agent 1 changes' }),
    branchStep({ branch: 'agent2', patch: GOLD_FILES.patch2, message: 'Agent 2 changes' }),
    'cb_git checkout -q -f agent2 || cb_fail checkout-agent2',
    'if cb_git merge -q --no-commit --no-ff agent1; then cb_mark merge clean; else cb_mark merge conflicts; fi',
    'cb_git merge --abort >/dev/null 2>&1',
    'cb_git checkout -q -f --detach "$BASE" && cb_git reset -q --hard "$BASE"',
    doneStep(),
  )
}
