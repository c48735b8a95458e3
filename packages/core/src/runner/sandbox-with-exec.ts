import type { Sandbox } from '@cooperbench/spec'

/** `sandbox` running commands through `exec`; every other method (an optional one where it has it) is its own. */
export function withExec(sandbox: Sandbox, exec: Sandbox['exec']): Sandbox {
  return {
    id: sandbox.id,
    exec,
    writeFile: (path, data) => sandbox.writeFile(path, data),
    readFile: (path) => sandbox.readFile(path),
    terminate: () => sandbox.terminate(),
    // Kept when the backend has it: the evaluator stages a pair's patches in one transfer with it.
    ...(sandbox.writeFiles ? { writeFiles: sandbox.writeFiles.bind(sandbox) } : {}),
    ...(sandbox.exposePort ? { exposePort: sandbox.exposePort.bind(sandbox) } : {}),
    ...(sandbox.shareHostPath ? { shareHostPath: sandbox.shareHostPath.bind(sandbox) } : {}),
  }
}
