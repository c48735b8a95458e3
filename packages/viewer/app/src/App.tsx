import { config, loadOverview, usePolled } from './data.ts'
import { clock } from './format.ts'
import { Overview } from './pages/Overview.tsx'
import { PairList } from './pages/PairList.tsx'
import { PairPage } from './pages/PairPage.tsx'
import { useRoute } from './router.ts'

export function App() {
  const route = useRoute()
  const overview = usePolled(loadOverview, 'overview')
  const data = overview.data
  return (
    <div class="app">
      <header class="top">
        <h1>
          <a href="#/">cooperbench view</a>
        </h1>
        <nav>
          <a href="#/" class={route.page === 'overview' ? 'active' : ''}>
            Overview
          </a>
          <a href="#/pairs" class={route.page !== 'overview' ? 'active' : ''}>
            Pairs
          </a>
        </nav>
        <span class="status">
          {config.mode === 'live' ? (
            <span class={`live${overview.error ? ' stale' : ''}`}>{overview.at ? `live · read ${clock(overview.at)}` : 'live'}</span>
          ) : (
            <span class="static">{data ? `export · read ${new Date(data.readAt).toLocaleString()}` : 'export'}</span>
          )}
          {data && <span class="log-dir">{`${data.logDir} · ${data.runs.length} run${data.runs.length === 1 ? '' : 's'}`}</span>}
        </span>
      </header>
      {overview.error && <p class="error banner">{`Could not read the runs: ${overview.error}`}</p>}
      <main>
        {route.page === 'pair' ? (
          <PairPage id={route.id} pairs={data?.pairs} />
        ) : !data ? (
          !overview.error && <p class="loading">Reading the runs…</p>
        ) : route.page === 'pairs' ? (
          <PairList data={data} query={route.query} />
        ) : (
          <Overview data={data} />
        )}
      </main>
    </div>
  )
}
