import { useEffect, useRef, useState } from 'preact/hooks'
import type { PageMode, PairDetail, ViewerData } from '../../src/model.ts'

declare global {
  interface Window {
    COOPERBENCH_VIEWER?: PageMode
    COOPERBENCH_DATA?: ViewerData
    COOPERBENCH_PAIRS?: Record<string, PairDetail>
  }
}

export const config: PageMode = window.COOPERBENCH_VIEWER ?? { mode: 'live', pollMs: 3000 }

export async function loadOverview(): Promise<ViewerData> {
  if (config.mode === 'static') {
    if (!window.COOPERBENCH_DATA) throw new Error('data/viewer-data.js did not load: keep the exported folder together')
    return window.COOPERBENCH_DATA
  }
  return getJson<ViewerData>('api/data')
}

export async function loadPair(id: string): Promise<PairDetail | null> {
  if (config.mode === 'static') {
    if (!window.COOPERBENCH_PAIRS?.[id]) await loadScript(`data/pairs/${id}.js`).catch(() => undefined)
    return window.COOPERBENCH_PAIRS?.[id] ?? null
  }
  return getJson<PairDetail | null>(`api/pairs/${id}`, null)
}

/** The JSON at `url`; `missing` for a 404, when given. */
async function getJson<T>(url: string, missing?: T): Promise<T> {
  const response = await fetch(url, { cache: 'no-store' })
  if (response.status === 404 && missing !== undefined) return missing
  if (!response.ok) throw new Error(await errorOf(response))
  return (await response.json()) as T
}

async function errorOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: string; hint?: string }
    return [body.error, body.hint].filter(Boolean).join(' — ')
  } catch {
    return `the server answered ${response.status}`
  }
}

/** A classic script tag: the one way to read a file next to the page that also works from file://. */
function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script')
    script.src = src
    script.onload = () => resolve()
    script.onerror = () => reject(new Error(`${src} did not load`))
    document.head.appendChild(script)
  })
}

export interface Polled<T> {
  data: T | undefined
  error: string | null
  /** When the data last arrived. */
  at: Date | null
}

/** Loads now and, on a live page, again every few seconds; a failed reload keeps the last data and says why. */
export function usePolled<T>(load: () => Promise<T>, key: string): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: undefined, error: null, at: null })
  const loadRef = useRef(load)
  loadRef.current = load
  useEffect(() => {
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    setState({ data: undefined, error: null, at: null })
    const tick = async () => {
      try {
        const data = await loadRef.current()
        if (!stopped) setState({ data, error: null, at: new Date() })
      } catch (error) {
        if (!stopped) setState((previous) => ({ ...previous, error: error instanceof Error ? error.message : String(error) }))
      }
      if (!stopped && config.mode === 'live') timer = setTimeout(tick, config.pollMs)
    }
    void tick()
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [key])
  return state
}

/** Where the raw trajectory of a pair's agent is: the server's file route, or the copy beside an export's pair data. */
export function trajectoryHref(id: string, file: string): string {
  return config.mode === 'static' ? `data/pairs/${id}/${file}` : `api/pairs/${id}/files/${file}`
}
