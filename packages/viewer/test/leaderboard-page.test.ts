import { describe, expect, it } from 'vitest'
import type { LeaderboardSite, SubmissionRow } from '../src/leaderboard-model.js'
import { leaderboardHtml } from '../src/leaderboard-page.js'

const relative = { value: 0.25, low: -0.4, high: 0.8, notEstimable: null, method: 'jeffreys-dirichlet' as const, draws: 40_000, seed: 1 }
const coopRow: SubmissionRow = {
  run: 'coop-run',
  setting: 'coop',
  pairSize: 3,
  variant: null,
  agent: 'mini_swe_agent',
  model: 'openai/gpt-5 (reviewer: anthropic/claude-opus-9)',
  judged: 4,
  passed: 3,
  rate: 0.75,
  ci: { low: 0.30064, high: 0.95443 },
  deficit: { soloBundle: 'solo.tar.gz', soloRun: 'solo-run', pairs: 4, relative },
  rerunAgreement: null,
}
const site: LeaderboardSite = {
  cooperbenchVersion: '0.1.0',
  createdAt: '2026-11-29T16:00:00.000Z',
  submissions: [
    {
      bundle: 'coop.tar.gz',
      verification: { verified: true, signer: 'sha256:ab12', pairs: 4, figures: 90 },
      viewer: 'runs/1-coop/index.html',
      rows: [coopRow],
    },
    {
      bundle: 'solo.tar.gz',
      verification: { verified: true, signer: null, pairs: 4, figures: 80 },
      viewer: 'runs/2-solo/index.html',
      rows: [{ ...coopRow, run: 'solo-run', setting: 'solo', pairSize: 2, model: 'openai/gpt-5', deficit: null }],
    },
    // What a bundle says of itself reaches the page as text only: a name or a reason never becomes markup.
    {
      bundle: '<img src=x onerror=alert(1)>.tar.gz',
      verification: { verified: false, reason: 'runs/<script>alert(1)</script>/result.json: run_name is "x"' },
      viewer: null,
      rows: [],
    },
  ],
}

/** The rows of the page's table, each as its cells' inner HTML by class. */
function rowsOf(html: string) {
  const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'))
  return [...body.matchAll(/<tr class="([^"]+)"[^>]*>(.*?)<\/tr>/g)].map(([, kind, cells]) => ({
    kind,
    cells: Object.fromEntries([...cells!.matchAll(/<t[hd][^>]* class="(\w+)"[^>]*>(.*?)<\/t[hd]>/g)].map(([, name, inner]) => [name, inner])),
  }))
}

describe('the leaderboard page', () => {
  const html = leaderboardHtml(site)
  const [coop, solo, refused] = rowsOf(html)

  it('writes rates and deficits as `cooperbench report` does, the model per seat, the signer or unsigned, and — for rerun', () => {
    expect(coop!.cells).toMatchObject({
      bundle: '<a href="runs/1-coop/index.html">coop.tar.gz</a>',
      setting: 'coop, pairs of 3 features',
      model: 'openai/gpt-5 (reviewer: anthropic/claude-opus-9)',
      passed: '3/4',
      rate: '75.0% [30.1%, 95.4%]',
      signer: '<code>sha256:ab12</code>',
      rerun: '—',
      verification: 'verified: 4 pair(s) evaluated again, 90 figures alike',
    })
    expect(coop!.cells.deficit).toBe('<span class="value">25.0%, 95% CI [-40.0%, 80.0%]</span><br /><small>vs solo-run (solo.tar.gz), 4 common pairs</small>')
    expect([solo!.cells.deficit, solo!.cells.signer]).toEqual(['—', '<code>unsigned</code>'])
  })

  it('lists a bundle that does not verify with why and no figure, link or signer, its text escaped', () => {
    expect(refused!.kind).toBe('not-verified')
    expect(refused!.cells).toEqual({
      bundle: '&lt;img src=x onerror=alert(1)&gt;.tar.gz',
      figures: '—',
      verification: 'not verified: runs/&lt;script&gt;alert(1)&lt;/script&gt;/result.json: run_name is &quot;x&quot;',
      signer: '—',
      rerun: '—',
    })
    expect(html).not.toMatch(/<script|<img/)
  })
})
