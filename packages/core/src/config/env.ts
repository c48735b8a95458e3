import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseEnv } from 'node:util'
import { errorMessage } from '@cooperbench/spec'
import type { ConfigFlags } from './types.js'
import { findConfigProblems, invalidConfigError } from './validate.js'
import { TEAM_FEATURE_FLAG_NAMES, teamFeaturesOff } from './team-features.js'

/** The environment variables cooperbench reads its configuration from, by config key. */
export const CONFIG_ENV_VARIABLES = {
  datasetDir: 'COOPERBENCH_DATASET_DIR',
  logDir: 'COOPERBENCH_LOG_DIR',
  backend: 'COOPERBENCH_BACKEND',
  agent: 'COOPERBENCH_AGENT',
  modelName: 'COOPERBENCH_MODEL',
  modelBaseUrl: 'COOPERBENCH_MODEL_BASE_URL',
  concurrency: 'COOPERBENCH_CONCURRENCY',
  evalConcurrency: 'COOPERBENCH_EVAL_CONCURRENCY',
  redisUrl: 'COOPERBENCH_REDIS_URL',
  evaluator: 'COOPERBENCH_EVALUATOR',
  policy: 'COOPERBENCH_POLICY',
  testTimeoutSeconds: 'COOPERBENCH_TEST_TIMEOUT',
  plugins: 'COOPERBENCH_PLUGINS',
  team: 'COOPERBENCH_TEAM_OFF',
} as const satisfies Partial<Record<keyof ConfigFlags, string>>

type EnvKey = keyof typeof CONFIG_ENV_VARIABLES

const integerKeys = new Set<EnvKey>(['concurrency', 'evalConcurrency'])
const numberKeys = new Set<EnvKey>(['testTimeoutSeconds'])
const listKeys = new Set<EnvKey>(['plugins'])
/** Keys whose variable lists the team features switched off, by their flag names (`task-list,scratchpad`). */
const teamOffKeys = new Set<EnvKey>(['team'])

/**
 * The environment with the variables of `<cwd>/.env` added, when that file exists. Variables
 * already set in `env` win over the file, as with dotenv. Neither `env` nor `process.env` is
 * modified: the caller decides whether to export the result.
 */
export function loadDotEnv(cwd: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const filepath = path.join(cwd, '.env')
  let content: string
  try {
    content = readFileSync(filepath, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'EISDIR') return { ...env }
    throw invalidConfigError(filepath, [`cannot read it: ${errorMessage(error)}`], { cause: error })
  }
  return { ...parseEnv(content), ...env }
}

/**
 * The configuration given by `COOPERBENCH_*` variables (see `CONFIG_ENV_VARIABLES`), typed.
 * Unset or empty variables give nothing; `COOPERBENCH_PLUGINS` is a comma-separated list, and so is
 * `COOPERBENCH_TEAM_OFF`: the team features switched off, by their flag names (`task-list,mcp`).
 * Every unusable value is reported at once, by variable name, as one CONFIG_INVALID error.
 * Paths stay as written (relative to the working directory; `resolveConfig` resolves them).
 */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigFlags {
  const config: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [key, variable] of Object.entries(CONFIG_ENV_VARIABLES) as [EnvKey, string][]) {
    const raw = env[variable]?.trim()
    if (raw === undefined || raw === '') continue
    if (integerKeys.has(key)) {
      if (/^\+?\d+$/.test(raw)) config[key] = Number(raw)
      else problems.push(`${variable}: must be an integer, got ${JSON.stringify(raw)}`)
    } else if (numberKeys.has(key)) {
      if (/^\+?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) config[key] = Number(raw)
      else problems.push(`${variable}: must be a number, got ${JSON.stringify(raw)}`)
    } else if (teamOffKeys.has(key)) {
      const off = teamFeaturesOff(raw)
      if ('unknown' in off) problems.push(`${variable}: unknown team feature ${JSON.stringify(off.unknown)} (one of ${TEAM_FEATURE_FLAG_NAMES.join(', ')})`)
      else config[key] = off.team
    } else if (listKeys.has(key)) {
      config[key] = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
    } else {
      config[key] = raw
    }
  }
  // Ranges and formats come from the schema, reported under the variable's name.
  for (const problem of findConfigProblems(config)) {
    const key = problem.path.split(/[.[]/)[0] as EnvKey
    problems.push(`${CONFIG_ENV_VARIABLES[key] ?? problem.path}: ${problem.message}`)
  }
  if (problems.length > 0) {
    throw invalidConfigError('the environment', problems, { hint: 'Fix or unset the variables listed above.' })
  }
  return config as ConfigFlags
}
