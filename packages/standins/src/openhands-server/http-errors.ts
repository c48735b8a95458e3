/** HTTP errors as the FastAPI app answers them: `{"detail": …}` with the status, 422 for validation errors. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`)
  }
}

const STATUS_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  503: 'Service Unavailable',
}
export const httpError = (status: number, detail?: unknown): HttpError => new HttpError(status, detail ?? STATUS_PHRASES[status] ?? `HTTP ${status}`)

/** A FastAPI/pydantic validation error (422) for one field. */
export const validationError = (loc: Array<string | number>, msg: string, type = 'value_error', input: unknown = null): HttpError =>
  new HttpError(422, [{ type, loc, msg, input }])
