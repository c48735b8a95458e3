import {
  CooperbenchError,
  type ExecOptions,
  type ExecResult,
  type Sandbox,
  type ScriptedJob,
  type ScriptedJobResult,
  type ScriptedStepResult,
} from '@cooperbench/spec'
import { cappedText } from './capped-text.js'

/**
 * A sandbox answering from a finished scripted job, running nothing: writes must be byte for byte the job's, each script returns what
 * the job's run of it printed (placeholders filled in), reads return the kept files. Anything else is an error naming the difference,
 * so an `evaluate` straying from its `plan` fails the pair, never invents a verdict. Replays every batch evaluation (and backend tests).
 */
export class RecordedRunSandbox implements Sandbox {
  private readonly unused: ScriptedStepResult[]

  constructor(
    readonly id: string,
    private readonly job: Pick<ScriptedJob, 'files' | 'steps'>,
    private readonly result: ScriptedJobResult,
  ) {
    this.unused = [...result.steps]
  }

  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (typeof command !== 'string') throw this.strayed('an argv command, but the batch job ran scripts only')
    const index = this.unused.findIndex((step) => step.script === command)
    if (index < 0) throw this.strayed(`a script the batch job did not run (${firstLine(command)}…)`)
    const [step] = this.unused.splice(index, 1) as [ScriptedStepResult]
    const planned = this.job.steps.find((s) => sameScript(s.script, command))
    if (planned !== undefined && options.timeoutMs !== undefined && planned.timeoutMs !== options.timeoutMs) {
      throw this.strayed(`a script with a limit of ${options.timeoutMs} ms, but the batch job ran it with ${planned.timeoutMs} ms`)
    }
    return {
      exitCode: step.exitCode,
      stdout: cappedText(Buffer.from(step.output), step.omittedBytes),
      stderr: '',
      timedOut: step.timedOut,
      truncated: step.omittedBytes > 0,
      durationMs: step.durationMs,
    }
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    const planned = this.job.files.get(path)
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)
    if (planned === undefined) throw this.strayed(`writing ${path}, which the batch job did not write`)
    if (!bytes.equals(Buffer.from(planned))) throw this.strayed(`writing other bytes to ${path} than the batch job wrote`)
  }

  async readFile(path: string): Promise<Uint8Array> {
    const kept = this.result.kept.get(path)
    if (kept === undefined) throw this.strayed(`reading ${path}, which the batch job did not keep`)
    return kept
  }

  async terminate(): Promise<void> {}

  private strayed(what: string): CooperbenchError {
    return new CooperbenchError('SANDBOX_FAILED', `batch evaluation ${this.id}: the evaluator asked for ${what}`, {
      hint: 'An evaluator used with a batch backend must run exactly the scripts its plan() returns.',
    })
  }
}

/** Whether a planned script (with placeholders) can have become `ran` once they were filled in. */
function sameScript(planned: string, ran: string): boolean {
  const parts = planned.split(/@@cb:[a-z][a-z0-9_]*@@/)
  if (parts.length === 1) return planned === ran
  const pattern = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[A-Za-z0-9._/-]*')
  return new RegExp(`^${pattern}$`, 's').test(ran)
}

function firstLine(script: string): string {
  return (script.split('\n').find((l) => l.trim() !== '' && !l.startsWith('exec ')) ?? '').slice(0, 60)
}
