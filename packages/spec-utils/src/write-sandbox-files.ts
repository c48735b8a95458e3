import type { Sandbox } from '@cooperbench/spec'

/**
 * Writes `files` (path → contents) in one transfer where the sandbox offers `writeFiles`, else one by one, in order. One
 * transfer is one archive on docker, where each archive costs the engine a process.
 */
export async function writeSandboxFiles(sandbox: Sandbox, files: ReadonlyMap<string, string | Uint8Array>): Promise<void> {
  if (files.size === 0) return
  if (sandbox.writeFiles) await sandbox.writeFiles(files)
  else for (const [path, data] of files) await sandbox.writeFile(path, data)
}
