import { randomBytes } from 'node:crypto'
import { readBytes, send, type StandinRoute } from './http.js'

/**
 * A stand-in for Google's Security Token Service token exchange (`POST /v1/token`), the
 * endpoint an `external_account` Application Default Credentials file names in `token_url`:
 * Google's auth library exchanges the file's subject token for an access token here exactly as
 * it does with sts.googleapis.com, so the whole ADC path runs without Google.
 */
export interface FakeSts {
  route: StandinRoute
  /** Subject tokens exchanged so far. */
  readonly exchanged: string[]
}

export function fakeSts(): FakeSts {
  const exchanged: string[] = []
  const route: StandinRoute = async (req, res, url) => {
    if (url.pathname !== '/v1/token' || req.method !== 'POST') return false
    const form = new URLSearchParams((await readBytes(req)).toString('utf8'))
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange' || !form.get('subject_token')) {
      send(res, 400, { error: 'invalid_request', error_description: 'grant_type must be token-exchange with a subject_token' })
      return true
    }
    exchanged.push(form.get('subject_token')!)
    send(res, 200, {
      access_token: `sts-${randomBytes(12).toString('hex')}`,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 3600,
    })
    return true
  }
  return { route, exchanged }
}
