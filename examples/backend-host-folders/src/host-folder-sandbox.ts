import { HostCommands, onceUntilDone, readMappedFile, type SandboxPathMap, writeMappedFile } from '@cooperbench/backend-kit'
import { CooperbenchError, type ExecOptions, type ExecResult, type Sandbox } from '@cooperbench/spec'
import { rm } from 'node:fs/promises'

/** A sandbox that is a folder on this machine: commands are host processes, files are host files. */
export class HostFolderSandbox implements Sandbox {
  private terminated = false

  constructor(
    readonly id: string,
    readonly paths: SandboxPathMap,
    private readonly onTerminated: () => void,
    readonly commands = new HostCommands({ sandboxId: id, paths }),
  ) {}

  exec(command: string | string[], options?: ExecOptions): Promise<ExecResult> {
    this.assertUsable()
    return this.commands.exec(command, options)
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    this.assertUsable()
    await writeMappedFile(this.paths, this.id, path, data)
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.assertUsable()
    return readMappedFile(this.paths, this.id, path)
  }

  /** Kills every running command's process group, then deletes the folder. */
  readonly terminate = onceUntilDone(async () => {
    this.terminated = true
    await this.commands.stopAll()
    await rm(this.paths.root, { recursive: true, force: true })
    this.onTerminated()
  })

  private assertUsable(): void {
    if (this.terminated) throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id} has been terminated`)
  }
}
