/** A shell word: `'…'` with embedded quotes escaped, so any argument passes through a shell unchanged. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}
