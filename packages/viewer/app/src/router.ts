import { useEffect, useState } from 'preact/hooks'

/** Hash routes (they work from file:// too): `#/`, `#/pairs?repo=…`, `#/pair/<id>`. */
export type Route = { page: 'overview' } | { page: 'pairs'; query: URLSearchParams } | { page: 'pair'; id: string }

function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?')
  const pair = /^\/pair\/([0-9a-f]+)$/.exec(path)
  if (pair) return { page: 'pair', id: pair[1]! }
  if (path === '/pairs') return { page: 'pairs', query: new URLSearchParams(search) }
  return { page: 'overview' }
}

export function useRoute(): Route {
  const [hash, setHash] = useState(location.hash)
  useEffect(() => {
    const onChange = () => setHash(location.hash)
    addEventListener('hashchange', onChange)
    return () => removeEventListener('hashchange', onChange)
  }, [])
  return parseRoute(hash)
}

export function pairsHref(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value) params.set(key, value)
  const text = params.toString()
  return `#/pairs${text ? `?${text}` : ''}`
}

export const pairHref = (id: string) => `#/pair/${id}`
