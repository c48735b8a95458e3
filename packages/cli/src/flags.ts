import { Flags } from '@oclif/core'
import { withDefault } from './config-default.js'

/** Pair filters shared by run, eval and the dataset commands (docs/reference-compatibility.md#dataset). */
export const filterFlags = {
  subset: Flags.string({ char: 's', description: 'Subset name: <dataset>/subsets/<name>.json.' }),
  repo: Flags.string({ char: 'r', description: 'Repository folder name, e.g. pallets_jinja_task (exact).' }),
  task: Flags.integer({ char: 't', description: 'Task id (0 is a valid id and selects task 0 only).', min: 0 }),
  features: Flags.string({ char: 'f', description: 'Exactly two feature ids, e.g. 1,2 (order does not matter).' }),
}

export const datasetDirFlag = {
  'dataset-dir': Flags.string({ description: 'Dataset root.', helpValue: 'DIR' }),
}

export const logDirFlag = {
  'log-dir': Flags.string({ description: 'Log root; runs are folders under it.', helpValue: 'DIR' }),
}

export const configFlag = {
  config: Flags.string({ description: 'Config file to use instead of searching for cooperbench.config.* / .cooperbenchrc*.', helpValue: 'FILE' }),
}

export const backendFlag = {
  backend: Flags.string({ description: withDefault('Execution backend by name; `cooperbench backends list` shows the installed ones.', 'backend') }),
}

export const evaluatorFlag = {
  evaluator: Flags.string({ description: withDefault('Evaluator that judges each pair (`cooperbench evaluators list`).', 'evaluator'), helpValue: 'NAME' }),
}
