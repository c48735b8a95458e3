import { EVALUATION_POLICIES } from '@cooperbench/spec'
import { Flags } from '@oclif/core'
import { withDefault } from './config-default.js'
import { declaredFlagSet } from './declared-flags.js'

/** Pair filters shared by run, eval and the dataset commands (docs/reference-compatibility.md#dataset). */
export const filterFlags = {
  subset: Flags.string({ char: 's', description: 'Subset name: <dataset>/subsets/<name>.json.' }),
  repo: Flags.string({ char: 'r', description: 'Repository folder name, e.g. pallets_jinja_task (exact).' }),
  task: Flags.integer({ char: 't', description: 'Task id (0 is a valid id and selects task 0 only).', min: 0 }),
  features: Flags.string({
    char: 'f',
    description: 'Feature ids of one pair, e.g. 1,2 or 1,2,3 (their number is the pair size unless --agents says; order does not matter).',
  }),
  agents: Flags.integer({
    description: withDefault(
      "Features per pair: coop runs N agents, one feature each; solo gives one agent all N. Unset: the size of -f, else of a groups subset's pairs, else 2. With N > 2 a pair-only subset selects tasks and every pair of N of their features runs.",
      'pairSize',
    ),
    min: 2,
    helpValue: 'N',
  }),
}

/** Settings that other commands share with `run`, made from their declaration as `run`'s are. */
export const datasetDirFlag = declaredFlagSet(['datasetDir']).flags
export const logDirFlag = declaredFlagSet(['logDir']).flags
export const backendFlag = declaredFlagSet(['backend']).flags
/** Which task images: `run` and `images build` name them alike. */
export const imageFlags = declaredFlagSet(['image.namespace', 'image.template']).flags

export const configFlag = {
  config: Flags.string({ description: 'Config file to use instead of searching for cooperbench.config.* / .cooperbenchrc*.', helpValue: 'FILE' }),
}

/** `eval --policy`: re-scores under another policy beside the run's own verdicts. */
export const evalPolicyFlag = {
  policy: Flags.string({
    description:
      "Evaluation policy to judge the run under (cooperbench-0.0.16 or cooperbench-0.0.14). Default: the run's own (config.json), whose verdicts eval.json holds; another policy writes eval.<policy>.json and eval_summary.<policy>.json beside them, never over them.",
    options: [...EVALUATION_POLICIES],
    helpValue: 'POLICY',
  }),
}
