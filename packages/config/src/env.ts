import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseEnv } from 'node:util'
import { errorMessage } from '@cooperbench/spec'
import type { ConfigFlags } from './types.js'
import { DECLARED_KEYS } from './declared-keys.js'
import { findConfigProblems, invalidConfigError } from './validate.js'

/** The settings read from a `COOPERBENCH_*` variable: those whose declaration names one. */
const settingsReadFromEnv = DECLARED_KEYS.filter((setting) => setting.spellings.env !== undefined && setting.path.length === 1)

/** The environment variables cooperbench reads its configuration from, by config key (each key's declared `env`). */
export const CONFIG_ENV_VARIABLES: Readonly<Partial<Record<keyof ConfigFlags, string>>> = Object.freeze(
  Object.fromEntries(settingsReadFromEnv.map((setting) => [setting.path[0], setting.spellings.env])),
)

/** `env` with `<cwd>/.env`'s variables added (set ones win, as with dotenv); neither `env` nor `process.env` is modified. */
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
 * `CONFIG_ENV_VARIABLES`, typed: unset or empty give nothing, `COOPERBENCH_PLUGINS` is comma-separated, a setting's own are read with its
 * options (`settingOptionsFor`), paths stay as written. Unusable values are one CONFIG_INVALID error by variable name.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigFlags {
  const config: Record<string, unknown> = {}
  const problems: string[] = []
  for (const setting of settingsReadFromEnv) {
    const [key] = setting.path
    const { kind } = setting
    const variable = setting.spellings.env as string
    const raw = env[variable]?.trim()
    if (raw === undefined || raw === '') continue
    if (kind === 'integer') {
      if (/^\+?\d+$/.test(raw)) config[key] = Number(raw)
      else problems.push(`${variable}: must be an integer, got ${JSON.stringify(raw)}`)
    } else if (kind === 'number') {
      if (/^\+?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) config[key] = Number(raw)
      else problems.push(`${variable}: must be a number, got ${JSON.stringify(raw)}`)
    } else if (kind === 'list') {
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
    const key = problem.path.split(/[.[]/)[0] as keyof ConfigFlags
    problems.push(`${CONFIG_ENV_VARIABLES[key] ?? problem.path}: ${problem.message}`)
  }
  if (problems.length > 0) {
    throw invalidConfigError('the environment', problems, { hint: 'Fix or unset the variables listed above.' })
  }
  return config as ConfigFlags
}
