import { resolve } from 'node:path'
import { resolveLayeredConfig } from '@cooperbench/config'

/** The log dir given (relative to `cwd`), else the one `run` and `eval` use: the config file's, COOPERBENCH_LOG_DIR, else ./logs. */
export async function logDirOf(options: { logDir?: string | undefined; cwd?: string | undefined }): Promise<string> {
  const cwd = options.cwd ?? process.cwd()
  return options.logDir !== undefined ? resolve(cwd, options.logDir) : (await resolveLayeredConfig({}, undefined, cwd)).config.logDir
}
