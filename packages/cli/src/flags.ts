import { EVALUATION_POLICIES } from '@cooperbench/spec/records'
import { Flags } from '@oclif/core'
import { withDefault } from './config-default.js'

/** Pair filters shared by run, eval and the dataset commands (docs/reference-compatibility.md#dataset). */
export const filterFlags = {
  subset: Flags.string({ char: 's', description: 'Subset name: <dataset>/subsets/<name>.json.' }),
  repo: Flags.string({ char: 'r', description: 'Repository folder name, e.g. pallets_jinja_task (exact).' }),
  task: Flags.integer({ char: 't', description: 'Task id (0 is a valid id and selects task 0 only).', min: 0 }),
  features: Flags.string({
    char: 'f',
    description: 'Feature ids of one team, e.g. 1,2 or 1,2,3 (their number is the team size unless --agents says; order does not matter).',
  }),
  agents: Flags.integer({
    description: withDefault(
      "Features per team: coop runs N agents, one feature each; solo gives one agent all N. Unset: the size of -f, else of a groups subset's teams, else 2. With N > 2 a pair-only subset selects tasks and every team of N of their features runs.",
      'teamSize',
    ),
    min: 2,
    helpValue: 'N',
  }),
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

export const policyFlag = {
  policy: Flags.string({
    description: withDefault(
      "Evaluation policy: how a coop team's patches become the verdict, after the upstream CooperBench version it follows (cooperbench-0.0.16: identical, naive, agent1 alone; cooperbench-0.0.14: naive, then union).",
      'policy',
    ),
    options: [...EVALUATION_POLICIES],
    helpValue: 'POLICY',
  }),
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

/** Which task images: `run` and `images build` name them alike. */
export const imageFlags = {
  'image-namespace': Flags.string({ description: withDefault('Namespace of task images.', 'image.namespace') }),
  'image-template': Flags.string({ description: 'Task image name template: {namespace} {slug} {repo} {taskId}.' }),
}
