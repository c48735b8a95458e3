/** `[1,2,3,5]` → `features 1–3, 5`. */
export function formatIds(ids: readonly number[]): string {
  if (ids.length === 0) return 'no features'
  const runs: string[] = []
  let start = ids[0] as number
  let end = start
  for (const id of [...ids.slice(1), Number.NaN]) {
    if (id === end + 1) {
      end = id
      continue
    }
    runs.push(start === end ? `${start}` : end === start + 1 ? `${start}, ${end}` : `${start}–${end}`)
    start = id
    end = id
  }
  return `feature${ids.length === 1 ? '' : 's'} ${runs.join(', ')}`
}
