import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Sandbox } from '@cooperbench/spec'
import { exchangeTaskSpool, requestFields, type TaskCommandRequest } from './task-commands.js'

/**
 * Where a `TaskCommandServer` takes an agent's requests and files its answers: the spool folder
 * of the team commands (`req/<id>.req`, `res/<id>`), reached through the sandbox or on this machine.
 */
export interface TaskSpool {
  /** Files `answers` (`<id> <base64>` lines) and takes the requests that wait. Throws when the spool cannot be used. */
  exchange(answers: readonly string[]): Promise<TaskCommandRequest[]>
  /** Whether a look costs next to nothing (a folder read on this machine), so the server may look often; through a sandbox each look is a command there. */
  readonly cheap: boolean
}

/** The spool inside the sandbox, one `Sandbox.exec` per exchange: every backend. */
export function sandboxTaskSpool(sandbox: Sandbox, options: { dir?: string; signal?: AbortSignal } = {}): TaskSpool {
  return {
    cheap: false,
    exchange: (answers) => exchangeTaskSpool(sandbox, answers, options),
  }
}

/**
 * The spool as a folder of this machine that the sandbox mounts at the spool's path (a backend
 * with `capabilities.sharedFolders`): an exchange is a few file operations here, no command in
 * the sandbox. The same files and renames as the in-sandbox exchange, so the commands cannot tell.
 */
export function hostFolderTaskSpool(hostDir: string): TaskSpool {
  return {
    cheap: true,
    async exchange(answers) {
      if (answers.length > 0) await mkdir(join(hostDir, 'res'), { recursive: true })
      for (const line of answers) {
        const space = line.indexOf(' ')
        const id = line.slice(0, space)
        const temp = join(hostDir, 'res', `.${id}.tmp`)
        await writeFile(temp, Buffer.from(line.slice(space + 1), 'base64'))
        await rename(temp, join(hostDir, 'res', id))
      }
      let names: string[]
      try {
        names = (await readdir(join(hostDir, 'req'))).filter((name) => name.endsWith('.req')).sort()
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
        throw error
      }
      if (names.length === 0) return []
      await mkdir(join(hostDir, 'taken'), { recursive: true })
      const requests: TaskCommandRequest[] = []
      for (const name of names) {
        const taken = join(hostDir, 'taken', name)
        // The rename takes the request: a command that gave up on it (and removed it) keeps it from being done.
        try {
          await rename(join(hostDir, 'req', name), taken)
        } catch {
          continue
        }
        requests.push({ id: name.slice(0, -'.req'.length), argv: requestFields(await readFile(taken)) })
        await rm(taken, { force: true })
      }
      return requests
    },
  }
}
