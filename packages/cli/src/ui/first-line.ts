/** The first line of `text` that is not blank, trimmed; `text` itself when every line is blank. */
export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? text
  )
}
