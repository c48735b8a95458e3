export { type PlanExecuteOptions, planExecuteOptionsSchema, planExecuteSpellings } from './options.js'
export { planExecuteRegistration, planExecuteSetting, plannerFiles } from './plan-execute-setting.js'
export { executionTask, PLAN_FILE, PLANNING_HEADING, planningTask } from './planning-task.js'
export { executorNotRun, featureAgentRecord } from './records.js'
// The plugin is also the default export, for loaders that import the package's main module.
export { default, default as planExecutePlugin } from './register.js'
