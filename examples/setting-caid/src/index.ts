export { caidReporter } from './caid-report.js'
export { CAID_ROLES, caidRegistration, caidSetting, managerFiles } from './caid-setting.js'
export { type DelegationRecord, Delegation, workerFiles } from './delegation.js'
export { HEADINGS, integrationTask, managerTask, PLAN_FILE, workerTask } from './tasks.js'
// The plugin is also the default export, for loaders that import the package's main module.
export { default, default as caidPlugin } from './register.js'
