/**
 * `@cooperbench/core/batch`: for backends that run evaluations on a batch platform
 * (`ScriptedJobRunner`): the driver that runs a staged scripted job inside the task's container,
 * staging and reading back its folders, and the sandbox that answers from a finished job.
 */
export * from './contracts/scripted-job.js'
export { readScriptedJobResult, SCRIPTED_JOB_DRIVER, stageScriptedJob } from './util/scripted-job-driver.js'
export { RecordedRunSandbox } from './runner/recorded-run-sandbox.js'
export { cappedText } from './util/capped-output.js'
