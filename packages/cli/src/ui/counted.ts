/** `1 pair`, `2 pairs`: a count with its noun, plural unless one (`1 tasks` read as a typo). */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
