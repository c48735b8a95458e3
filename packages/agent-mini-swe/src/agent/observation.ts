/** The first line of output that ends the agent (after leading whitespace, exit code 0). */
export const SUBMIT_MARKER = 'COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT'

/** What one command produced, before it is shown to the model. */
export interface CommandOutcome {
  returncode: number
  output: string
  /** Killed by the command timeout: the output is partial. */
  timedOut?: boolean
  timeoutSeconds?: number
}

/** stdout, then stderr, as one text (the model does not need to tell them apart). */
export function combineOutput(stdout: string, stderr: string): string {
  if (!stdout || !stderr) return stdout + stderr
  return stdout.endsWith('\n') ? stdout + stderr : `${stdout}\n${stderr}`
}

/** `text` when short enough, else its first and last halves around an elision note. */
export function truncateMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text
  const half = Math.floor(maxChars / 2)
  const elided = text.length - 2 * half
  return `${text.slice(0, half)}\n[... ${elided} characters elided ...]\n${text.slice(text.length - half)}`
}

/** The observation the model reads: `<returncode>N</returncode>`, warnings (timed out, output cut), then `<output>…</output>`. */
export function renderObservation(outcome: CommandOutcome, maxChars: number): string {
  const warnings: string[] = []
  if (outcome.timedOut) {
    warnings.push(
      `The command was killed after ${outcome.timeoutSeconds} s (the command timeout); below is what it printed until then. ` +
        'Avoid commands that wait for input or never end; run long jobs with a time limit.',
    )
  }
  if (outcome.output.length > maxChars) {
    warnings.push(
      `The output had ${outcome.output.length} characters; only the first and last ${Math.floor(maxChars / 2)} are shown. ` +
        'Narrow it down with grep, head or tail, or write it to a file and read parts of it.',
    )
  }
  const output = truncateMiddle(outcome.output, maxChars)
  const body = output === '' || output.endsWith('\n') ? output : `${output}\n`
  return [`<returncode>${outcome.returncode}</returncode>`, ...warnings.map((w) => `<warning>${w}</warning>`), `<output>\n${body}</output>`].join('\n')
}

/** When `output` submits (first non-blank line the marker, exit code 0), the rest of it (the reference's `submission`), else null. */
export function submissionOf(outcome: CommandOutcome): string | null {
  if (outcome.returncode !== 0) return null
  const [first, ...rest] = outcome.output.trimStart().split('\n')
  return first?.trim() === SUBMIT_MARKER ? rest.join('\n').trim() : null
}
