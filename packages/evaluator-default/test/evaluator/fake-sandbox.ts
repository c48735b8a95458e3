import type { ExecOptions, ExecResult, Sandbox } from '@cooperbench/spec'
import { fileDigest } from '../../src/evaluator/setup-report.js'

export type ExecHandler = (script: string, sandbox: FakeSandbox, options: ExecOptions) => Partial<ExecResult> | Promise<Partial<ExecResult>>

/**
 * A Sandbox that runs nothing: files written are kept in memory and every `exec` is answered
 * by a handler. For the evaluator's orchestration (pre-checks, errors, abort, cleanup); the
 * scripts themselves are exercised against real sandboxes in packages/cli/test/eval.
 */
export class FakeSandbox implements Sandbox {
  readonly id = 'fake'
  readonly files = new Map<string, Uint8Array>()
  readonly scripts: string[] = []
  terminated = 0

  constructor(private readonly handler: ExecHandler) {}

  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    const script = Array.isArray(command) ? command.join(' ') : command
    this.scripts.push(script)
    const r = await this.handler(script, this, options)
    return { exitCode: 0, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 1, ...r }
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    this.files.set(path, typeof data === 'string' ? new TextEncoder().encode(data) : data)
  }

  async readFile(path: string): Promise<Uint8Array> {
    const data = this.files.get(path)
    if (data === undefined) throw new Error(`no such file: ${path}`)
    return data
  }

  async terminate(): Promise<void> {
    this.terminated++
  }

  /** The `file=` markers a setup script prints for what was written to /patches. */
  fileMarkers(): string {
    return [...this.files]
      .filter(([path]) => path.startsWith('/patches/'))
      .map(([path, bytes]) => {
        const d = fileDigest(bytes)
        return `::cb:: file=${path.slice('/patches/'.length)} ${d.size} ${d.sha1}\n`
      })
      .join('')
  }
}

export const BASE = 'cc2dd41cbb088b7e757c04824d0a878342a28716'

/** Marker output of a coop setup that ran to the end. */
export function coopSetupOutput(sandbox: FakeSandbox, over: Partial<Record<string, string>> = {}): string {
  const values: Record<string, string> = {
    base: BASE,
    'apply.agent1': 'applied',
    'apply.agent2': 'applied',
    naive: 'clean',
    strategy: 'naive',
    merged_size: '20',
    merged_head_b64: Buffer.from('diff --git a/x b/x\n').toString('base64'),
    setup: 'done',
  }
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete values[k]
    else values[k] = v
  }
  return (
    sandbox.fileMarkers() +
    Object.entries(values)
      .map(([k, v]) => `::cb:: ${k}=${v}\n`)
      .join('')
  )
}

/** pytest-style output of a passing run. */
export const PASSING_RUN = `Reset to base: ${BASE}\n===== 2 passed in 0.01s =====\n`
