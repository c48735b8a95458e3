/** Machine-readable lines the scripts print between ordinary output: `::cb:: <key>=<value>`, the value running to the line's end. */
export const MARKER_PREFIX = '::cb:: '

/** Every value printed for each key, in order of appearance. */
export type Markers = ReadonlyMap<string, readonly string[]>

/** Collects the marker lines of a script's output; other lines are ignored. */
export function parseMarkers(output: string): Markers {
  const markers = new Map<string, string[]>()
  for (const raw of output.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (!line.startsWith(MARKER_PREFIX)) continue
    const body = line.slice(MARKER_PREFIX.length)
    const eq = body.indexOf('=')
    if (eq <= 0) continue
    const key = body.slice(0, eq)
    const values = markers.get(key) ?? []
    values.push(body.slice(eq + 1))
    markers.set(key, values)
  }
  return markers
}

/** The last value printed for `key`, or `undefined`. */
export function lastMarker(markers: Markers, key: string): string | undefined {
  const values = markers.get(key)
  return values?.[values.length - 1]
}

/** The output without marker lines (for error texts meant for people). */
export function withoutMarkers(output: string): string {
  return output
    .split('\n')
    .filter((line) => !line.startsWith(MARKER_PREFIX))
    .join('\n')
}

/** A setup script's output for an error text: without marker lines, after the timeout it reached, if it did. */
export function setupDetail(output: string, timedOut: boolean, timeoutMs: number): string {
  const text = withoutMarkers(output).trim()
  return timedOut ? `timed out after ${timeoutMs / 1000} s\n${text}` : text
}
