/** The HTTP status of a failed Engine API call, when it got that far. */
export function dockerStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode
  return typeof status === 'number' ? status : undefined
}

/** True for "no such container/image/file" (HTTP 404). */
export function isNotFound(error: unknown): boolean {
  return dockerStatus(error) === 404
}

/** The engine's own message (`json.message`), not docker-modem's `(HTTP code 404) no such container - ...` wrapper; else the error's. */
export function dockerMessage(error: unknown): string {
  const json = (error as { json?: unknown } | null)?.json
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim()
  }
  if (Buffer.isBuffer(json) && json.length > 0) return json.toString('utf8').trim()
  if (error instanceof Error) return error.message.trim()
  return String(error)
}
