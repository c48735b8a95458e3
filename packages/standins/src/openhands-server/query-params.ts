/** Query parameters of the search and count routes, validated as FastAPI does. */
import { validationError } from './http-errors.js'
import { normalizeDatetimeParam } from './python-compat.js'

export function queryLimit(url: URL): number {
  const raw = url.searchParams.get('limit')
  if (raw === null) return 100
  const limit = Number(raw)
  if (!Number.isInteger(limit)) throw validationError(['query', 'limit'], 'Input should be a valid integer', 'int_parsing', raw)
  if (limit <= 0 || limit > 100)
    throw validationError(
      ['query', 'limit'],
      limit <= 0 ? 'Input should be greater than 0' : 'Input should be less than or equal to 100',
      limit <= 0 ? 'greater_than' : 'less_than_equal',
      raw,
    )
  return limit
}

export function eventFilters(url: URL): { kind: string | null; source: string | null; body: string | null; gte: string | null; lt: string | null } {
  const datetime = (name: string): string | null => {
    const raw = url.searchParams.get(name)
    if (raw === null) return null
    const normalized = normalizeDatetimeParam(raw)
    if (normalized === null) throw validationError(['query', name], 'Input should be a valid datetime', 'datetime_from_date_parsing', raw)
    return normalized
  }
  return {
    kind: url.searchParams.get('kind'),
    source: url.searchParams.get('source'),
    body: url.searchParams.get('body'),
    gte: datetime('timestamp__gte'),
    lt: datetime('timestamp__lt'),
  }
}
