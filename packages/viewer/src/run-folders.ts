import { existsSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { CooperbenchError } from '@cooperbench/core'
import { RunFiles, runDir } from '@cooperbench/results'

/** The runs to show: the named ones (each must exist), or every run folder under the log dir. */
export async function selectRuns(logDir: string, names: readonly string[] | undefined): Promise<string[]> {
  if (!existsSync(logDir) || !(await stat(logDir)).isDirectory()) {
    throw new CooperbenchError('RUN_NOT_FOUND', `log dir ${logDir} does not exist`, {
      hint: 'Pass --log-dir DIR (the folder holding the run folders), or start a run first.',
    })
  }
  if (names && names.length > 0) {
    for (const name of names) {
      if (!existsSync(runDir(logDir, name))) {
        const known = await runFolders(logDir)
        throw new CooperbenchError('RUN_NOT_FOUND', `no run "${name}" in ${logDir}`, {
          hint: known.length ? `Runs there: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''}.` : 'That log dir holds no runs yet.',
        })
      }
    }
    return [...new Set(names)]
  }
  return runFolders(logDir)
}

/** Sub-folders that look like runs: a config.json, a legacy `<repo>_task` folder, or a setting folder (of any setting) holding one. */
async function runFolders(logDir: string) {
  const entries = await readdir(logDir, { withFileTypes: true }).catch(() => [])
  const runs: string[] = []
  const tasksIn = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).some((c) => c.endsWith('_task'))
  for (const entry of entries) {
    if (!entry.isDirectory()) continue
    const dir = join(logDir, entry.name)
    const children = await readdir(dir).catch(() => [] as string[])
    const settingFolders = await Promise.all(children.map((child) => tasksIn(join(dir, child))))
    if (children.includes(RunFiles.config) || (await tasksIn(dir)) || settingFolders.some(Boolean)) runs.push(entry.name)
  }
  return runs.sort()
}
