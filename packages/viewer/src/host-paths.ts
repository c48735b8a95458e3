import { basename, isAbsolute, relative, resolve } from 'node:path'
import type { ViewerData } from './model.js'

/** How the page names local folders (log dir, dataset dir): relative to where `view` started, or by name only in an export. */
export type PathDisplay = { relativeTo: string } | 'names-only'

/** `path` (absolute, or relative to `from`) as the page shows it. */
export function shownPath(path: string, display: PathDisplay, from = process.cwd()): string {
  const absolute = resolve(from, path)
  if (display === 'names-only') return basename(absolute) || '.'
  return relative(display.relativeTo, absolute) || '.'
}

/** The data with every absolute path of the runs' settings shown as `display` says. */
export function withShownPaths(data: ViewerData, display: PathDisplay): ViewerData {
  return {
    ...data,
    runs: data.runs.map((run) =>
      run.configuration?.settings
        ? { ...run, configuration: { ...run.configuration, settings: mapPaths(run.configuration.settings, display) as Record<string, unknown> } }
        : run,
    ),
  }
}

/** Strings that are absolute paths, anywhere in a JSON value, shown as `display` says (URLs and other strings kept). */
function mapPaths(value: unknown, display: PathDisplay): unknown {
  if (typeof value === 'string') return isAbsolute(value) && !value.startsWith('//') ? shownPath(value, display) : value
  if (Array.isArray(value)) return value.map((item) => mapPaths(item, display))
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapPaths(v, display)]))
  return value
}
