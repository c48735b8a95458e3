import { HubApiError } from '@huggingface/hub'
import { CooperbenchError } from '@cooperbench/core'
import { DATASET_REPO, type HubLocation, manualCloneCommand } from './hub-location.js'

/** A request that got no response at all: refused, no DNS answer, unreachable, reset before the headers. */
function isConnectFailure(error: unknown) {
  return error instanceof TypeError && error.message === 'fetch failed'
}

/** The innermost reason of a network error: `connect ECONNREFUSED 127.0.0.1:8080`, `getaddrinfo ENOTFOUND huggingface.co`. */
function networkCause(error: unknown) {
  let reason = error instanceof Error ? error.message : String(error)
  let current: unknown = error instanceof Error ? error.cause : undefined
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const nested = current as { message?: unknown; errors?: unknown; cause?: unknown; code?: unknown }
    if (typeof nested.message === 'string' && nested.message !== '') reason = nested.message
    else if (typeof nested.code === 'string') reason = nested.code
    if (Array.isArray(nested.errors) && nested.errors.length > 0) current = nested.errors[0]
    else current = nested.cause
  }
  return reason
}

/** The one-line failure when the hub cannot be reached: names HF_ENDPOINT and the way to do without cooperbench. */
function hubUnreachable(location: HubLocation, error: unknown, dir: string) {
  return new CooperbenchError(
    'DATASET_NOT_FOUND',
    `cannot reach the Hugging Face hub at ${location.hubUrl} (${networkCause(error)}): set HF_ENDPOINT to a hub or mirror you can reach, or fetch the dataset by hand with \`${manualCloneCommand(dir)}\``,
    {
      hint: 'Check the network connection and proxy; run the command again when the hub answers: finished files are kept and partial ones resume.',
      cause: error,
    },
  )
}

/** The hub answered with an error status (`what` names the request: the listing or a file). */
function hubRefused(location: HubLocation, status: number, detail: string, what: string) {
  const suffix = detail === '' ? '' : `: ${detail}`
  if (status === 401 || status === 403) {
    return new CooperbenchError('DATASET_NOT_FOUND', `the hub at ${location.hubUrl} refused access to ${DATASET_REPO} (${status}${suffix})`, {
      hint: 'Export HF_TOKEN=hf_… (a read token from https://huggingface.co/settings/tokens), or check that HF_ENDPOINT is the hub you mean.',
    })
  }
  if (status === 404 && what === 'listing') {
    return new CooperbenchError('DATASET_NOT_FOUND', `${DATASET_REPO} has no revision "${location.revision}" on ${location.hubUrl} (404${suffix})`, {
      hint: `Pass a branch, tag or commit of https://huggingface.co/datasets/${DATASET_REPO} with --revision (default main), or check HF_ENDPOINT.`,
    })
  }
  return new CooperbenchError('DATASET_NOT_FOUND', `the hub at ${location.hubUrl} answered ${status} for ${what}${suffix}`, {
    hint: 'Try again later: finished files are kept and partial ones resume.',
  })
}

/** What the hub client threw (or, for a streamed file, the tracked fetch saw) as a one-line error: hub unreachable or an error status; else null. */
export function hubFailure(errors: unknown[], location: HubLocation, dir: string, what: string): CooperbenchError | null {
  const unreachable = errors.find(isConnectFailure)
  if (unreachable !== undefined) return hubUnreachable(location, unreachable, dir)
  const refused = errors.find((error) => error instanceof HubApiError)
  return refused === undefined ? null : hubRefused(location, refused.statusCode, apiMessage(refused), what)
}

/** The hub's own words, without the client's `. URL: …` trailer. */
function apiMessage(error: HubApiError) {
  return (error.message ?? '').split('. URL: ')[0]!.replace(/^Api error with status \d+$/, '')
}
