import { CooperbenchError } from '@cooperbench/spec'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { loadDotEnv } from './env.js'
import { agentConfigDigest } from './fingerprint.js'
import { type ResolvedConfigResult, resolveConfig } from './resolve.js'
import type { ConfigFlags, ConfigLayer, CooperbenchConfig, ResolvedConfig } from './types.js'

export interface LayeredConfig {
  config: ResolvedConfig
  /** The config file used, or null. */
  file: string | null
  /** For each key, the highest layer that set it. */
  layers: Record<keyof ResolvedConfig, ConfigLayer>
  /** The settings' options as the file and the flags (or a script's options) gave them. */
  settingOptions: ResolvedConfigResult['sources']['settingOptions']
  /** The environment read (`.env` included), for the setting's own variables. */
  env: NodeJS.ProcessEnv
  /** What the flags layer is called in messages (`the options given to run()`); absent: the command line. */
  flagsSource?: string
}

/** As the CLI resolves it: defaults < config file (from `cwd`, path or value) < environment (with `cwd`'s `.env`) < flags; abort: INTERRUPTED. */
export async function resolveLayeredConfig(
  flags: ConfigFlags,
  config: string | CooperbenchConfig | undefined,
  cwd = process.cwd(),
  flagsSource?: string,
  signal?: AbortSignal,
): Promise<LayeredConfig> {
  const env = loadDotEnv(cwd)
  // .env is exported (never overriding real variables) for plugins reading keys from the environment (model providers).
  for (const [name, value] of Object.entries(env)) if (process.env[name] === undefined && value !== undefined) process.env[name] = value
  const resolved = await resolveConfig({
    cwd: resolve(cwd),
    env,
    flags,
    ...(flagsSource === undefined ? {} : { flagsSource }),
    ...(signal === undefined ? {} : { signal }),
    ...(typeof config === 'string' ? { configPath: config } : config !== undefined ? { inlineConfig: config } : {}),
  })
  return {
    config: resolved.config,
    file: resolved.sources.file,
    layers: resolved.sources.keys,
    settingOptions: resolved.sources.settingOptions,
    env,
    ...(flagsSource === undefined ? {} : { flagsSource }),
  }
}

/** The `--agent-config` file (YAML or JSON) parsed, with its digest for the fingerprint. */
export async function readAgentConfig(path: string | null): Promise<{ options: Record<string, unknown>; digest: string | null }> {
  if (!path) return { options: {}, digest: null }
  const text = await readFile(path, 'utf8').catch(() => {
    throw new CooperbenchError('CONFIG_NOT_FOUND', `agent config file not found: ${path}`, {
      hint: 'Check the --agent-config path (relative paths are relative to the working directory).',
    })
  })
  // Imported here, not at the top: only a run given --agent-config loads the YAML parser.
  const { parse: parseYaml } = await import('yaml')
  let parsed: unknown
  try {
    // As PyYAML reads the reference's files (YAML 1.1: `off` is false, `3.` a float).
    parsed = parseYaml(text, { version: '1.1' })
  } catch (error) {
    throw new CooperbenchError('CONFIG_INVALID', `agent config ${path} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'Fix the syntax of the file.',
    })
  }
  if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
    throw new CooperbenchError('CONFIG_INVALID', `agent config ${path} must hold a mapping of options`, { hint: 'e.g. `agent: { step_limit: 50 }`' })
  }
  return { options: (parsed ?? {}) as Record<string, unknown>, digest: agentConfigDigest(text) }
}
