/** How much of a printed line goes into an error message (which eval.json and result.json record). */
const MAX_LINE_CHARS = 300

/** The first line of a command's output that is not blank, trimmed and cut to fit a message; '' for none. */
export function firstPrintedLine(output: string): string {
  const line = output.split('\n').find((candidate) => candidate.trim() !== '')
  return line === undefined ? '' : line.trim().slice(0, MAX_LINE_CHARS)
}
