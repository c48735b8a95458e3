export { CONFIG_DEFAULTS } from './defaults.js'
export { didYouMean, levenshtein, suggestKey } from './did-you-mean.js'
export { CONFIG_ENV_VARIABLES, configFromEnv, loadDotEnv } from './env.js'
export {
  agentConfigDigest,
  canonicalJson,
  type ConfigFingerprint,
  configFingerprint,
  diffFingerprints,
  type FingerprintExtra,
  type FingerprintInput,
  type SeatFingerprint,
} from './fingerprint.js'
export { type LoadedConfigFile, loadConfigFile, searchDirectories } from './load.js'
export { CONFIG_LOAD_TIMEOUT_MS, CONFIG_LOAD_TIMEOUT_VARIABLE, type ConfigLoadBound, configLoadTimeoutMs } from './load-bound.js'
export { REDACTED, redactSecrets, redactUrlCredentials } from './redact.js'
export { type ResolveConfigOptions, type ResolvedConfigResult, resolveConfig } from './resolve.js'
export { agentShorthand, autoRunName, cleanModelName, REFERENCE_AGENT_SHORTHANDS, type RunNameInput, shortRepoName } from './run-name.js'
export { configSchema } from './schema.js'
export type { ConfigFlags, ConfigLayer, CooperbenchConfig, ResolvedConfig } from './types.js'
export { defineConfig } from './define-config.js'
export {
  type ConfigProblem,
  configProblems,
  invalidConfigError,
  PLUGIN_OPTIONS_SECTION,
  pluginOptionsProblems,
  validateConfig,
  validatePluginOptions,
} from './validate.js'
export { readAgentConfig, type LayeredConfig, resolveLayeredConfig } from './layered-config.js'
export { flagOfKey, type KeyLayers, keySource } from './key-source.js'
export { type SettingOptions, settingOptionsFor } from './setting-options.js'
export { DECLARED_KEYS, type DeclaredKey, type FlaggedKeyId, type FlagNameOf, flagNameOf, type FlagValueOf, keyId } from './declared-keys.js'
