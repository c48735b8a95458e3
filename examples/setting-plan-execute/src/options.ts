import type { OptionSpelling, OptionsOf, OptionsSchema } from '@cooperbench/spec'

/** The setting's options (`settings.plan-execute` in a config file), declared once: the host validates them and fills in defaults. */
export const planExecuteOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    withFeature: {
      type: 'boolean',
      default: false,
      description: "Each executor gets its feature's text after its plan (an ablation: upstream's executors get the plan alone).",
    },
  },
} as const satisfies OptionsSchema

export type PlanExecuteOptions = OptionsOf<typeof planExecuteOptionsSchema>

/** How the options are spelled outside a config file: `cooperbench run --plan-execute-with-feature`, or the variable. */
export const planExecuteSpellings: Record<keyof PlanExecuteOptions, OptionSpelling> = {
  withFeature: { flag: 'plan-execute-with-feature', env: 'COOPERBENCH_PLAN_EXECUTE_WITH_FEATURE' },
}
