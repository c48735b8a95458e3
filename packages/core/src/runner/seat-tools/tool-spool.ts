import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Sandbox } from '@cooperbench/spec'

export interface ToolRequest {
  id: string
  /** The tool's name, then the arguments as the agent gave them (see `tool-scripts.ts` for stdin). */
  argv: string[]
}

/** Where a `ToolServer` takes requests and files answers: the spool folder, through the sandbox or on this machine. */
export interface ToolSpool {
  /** Files `answers` (`<id> <base64>` lines) and takes the requests that wait. Throws when the spool cannot be used. */
  exchange(answers: readonly string[]): Promise<ToolRequest[]>
  /** Whether a look costs next to nothing (a folder read on this machine), so the server may look often; through a sandbox each look is a command there. */
  readonly cheap: boolean
}

/** The spool in the sandbox, one `Sandbox.exec` an exchange: stdin's answers filed atomically, then each request taken, printed (`Q <id> <base64>`). */
export function sandboxToolSpool(sandbox: Sandbox, dir: string, signal?: AbortSignal): ToolSpool {
  const script = `set -u
while IFS=' ' read -r id data; do
  [ -n "$id" ] || continue
  printf '%s' "$data" | base64 -d > "${dir}/res/.$id.tmp" && mv "${dir}/res/.$id.tmp" "${dir}/res/$id"
done
mkdir -p "${dir}/taken"
for f in $(ls "${dir}/req" 2>/dev/null | grep '\\.req$' | sort); do
  # The rename takes the request: of two exchanges only one gets it.
  mv "${dir}/req/$f" "${dir}/taken/$f" 2>/dev/null || continue
  printf 'Q %s %s\\n' "\${f%.req}" "$(base64 -w0 < "${dir}/taken/$f" 2>/dev/null || base64 < "${dir}/taken/$f" | tr -d '\\n')"
  rm -f "${dir}/taken/$f"
done
`
  return {
    cheap: false,
    async exchange(answers) {
      const exchanged = await sandbox.exec(['sh', '-c', script], {
        cwd: '/',
        stdin: answers.length > 0 ? `${answers.join('\n')}\n` : '',
        timeoutMs: 30_000,
        ...(signal ? { signal } : {}),
      })
      if (exchanged.exitCode !== 0) {
        throw new Error(`the tool command spool could not be used (exit ${exchanged.exitCode}): ${exchanged.stderr.trim()}`)
      }
      return exchanged.stdout.split('\n').flatMap((line) => {
        const match = /^Q (\S+) (\S*)$/.exec(line)
        return match ? [{ id: match[1]!, argv: requestFields(Buffer.from(match[2]!, 'base64')) }] : []
      })
    },
  }
}

/** The spool as a host folder the sandbox mounts (`capabilities.sharedFolders`): the in-sandbox exchange's files and renames, done here. */
export function hostFolderToolSpool(hostDir: string): ToolSpool {
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
      const listed = await readdir(join(hostDir, 'req')).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return []
        throw error
      })
      const names = listed.filter((name) => name.endsWith('.req')).sort()
      if (names.length === 0) return []
      await mkdir(join(hostDir, 'taken'), { recursive: true })
      const requests: ToolRequest[] = []
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

/** A request file's fields: the tool's name and the arguments, each ended by a NUL. */
function requestFields(bytes: Buffer): string[] {
  const fields = bytes.toString('utf8').split('\0')
  if (fields.at(-1) === '') fields.pop()
  return fields
}
