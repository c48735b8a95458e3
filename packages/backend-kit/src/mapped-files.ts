import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CooperbenchError } from '@cooperbench/spec'
import type { SandboxPathMap } from './sandbox-path-map.js'

/** `Sandbox.writeFile` of a sandbox whose paths are host folders ({@link SandboxPathMap}): parents made, written atomically. */
export async function writeMappedFile(paths: SandboxPathMap, sandboxId: string, path: string, data: string | Uint8Array): Promise<void> {
  const target = paths.toHost(path)
  const temporary = `${target}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await mkdir(dirname(target), { recursive: true })
    await writeFile(temporary, data)
    await rename(temporary, target)
  } catch (error) {
    await rm(temporary, { force: true })
    throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${sandboxId}: cannot write ${path}: ${(error as Error).message}`, { cause: error })
  }
}

/** `Sandbox.readFile` of a sandbox whose paths are host folders: the bytes, or SANDBOX_FAILED. */
export async function readMappedFile(paths: SandboxPathMap, sandboxId: string, path: string): Promise<Uint8Array> {
  try {
    return await readFile(paths.toHost(path))
  } catch (error) {
    throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${sandboxId}: cannot read ${path}: ${(error as Error).message}`, { cause: error })
  }
}
