/** A shell word: `'…'` with embedded quotes escaped, so any argument passes through a shell unchanged. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/** A shell word as a person would type it in a hint: as it is when the shell leaves it alone (`/tmp/logs`), else {@link shellQuote}d. */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : shellQuote(value)
}
