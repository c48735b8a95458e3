export { autoClaimRegistration, autoClaimSetting } from './auto-claim-setting.js'
// The plugin is also the default export, for loaders that import the package's main module.
export { default, default as autoClaimPlugin } from './register.js'
