/** What a secret is replaced with in files and messages others read. */
export const REDACTED = '[redacted]'

/** `scheme://userinfo@`: userinfo cannot hold `/`, `?`, `#`, `@` or whitespace. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]+)@/gi

/**
 * Redacts every URL's password (or lone user name, often a token), for errors naming a URL from a plugin's options:
 * `redis://user:pass@host` → `redis://user:[redacted]@host`, `https://TOKEN@host` → `https://[redacted]@host`.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':')
    return colon === -1 ? `${scheme}${REDACTED}@` : `${scheme}${userinfo.slice(0, colon + 1)}${REDACTED}@`
  })
}
