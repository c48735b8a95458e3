import { cellText, estimate, PLAIN_CELLS, rate, relative } from '@cooperbench/spec-utils/report'
import type { LeaderboardSite, LeaderboardSubmission, SubmissionRow } from './leaderboard-model.js'

const NONE = '—'
const COLUMNS = [
  'Submission',
  'Run',
  'Setting',
  'Agent',
  'Model',
  'Passed',
  'Pass rate [95% CI]',
  'Coordination deficit',
  'Verification',
  'Signer',
  'Rerun agreement',
]
/** The columns of a row's figures (run to deficit): a bundle that did not verify shows none of them. */
const FIGURE_COLUMNS = 7

/**
 * The leaderboard's index.html: one table, inline style, no script and no fetch, so it reads the
 * same from file:// as from any static host. Numbers are written as `cooperbench report` writes
 * them (the same cells), so a reader can hold one against the other.
 */
export function leaderboardHtml(site: LeaderboardSite): string {
  const body = site.submissions.flatMap(submissionRows).join('\n')
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>CooperBench leaderboard</title>
    <link rel="icon" href="data:," />
    <style>${STYLE}</style>
  </head>
  <body>
    <h1>CooperBench leaderboard</h1>
    <p class="made">${escapeHtml(`${site.submissions.length} submission(s), verified by cooperbench ${site.cooperbenchVersion} on ${site.createdAt}`)}</p>
    <table class="leaderboard">
      <thead><tr>${COLUMNS.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead>
      <tbody>
${body}
      </tbody>
    </table>
    <p class="caption">${escapeHtml(CAPTION)}</p>
  </body>
</html>
`
}

const CAPTION =
  'A row per run and setting of each bundle. Every bundle was checked with `cooperbench verify`: its files against bundle.json ' +
  '(and its signature), every patch evaluated again here with the same verdict, every figure of its report recomputed alike; a ' +
  'bundle that does not verify shows why and no figures. Pass rate: share of judged pairs whose features all pass, with a 95% ' +
  'Wilson interval. Coordination deficit: (solo − this setting) / solo on the pairs both judged, against the solo run of the ' +
  'folder with most common pairs, with a Jeffreys 95% interval; — without a comparable solo run. Signer: the Ed25519 key ' +
  'fingerprint of bundle.sig. Verification shows the numbers follow from the bundled patches, not that the claimed agent made ' +
  'them. Rerun agreement: of the pairs `--rerun K` drew from the bundle and ran again with its claimed agents, models and ' +
  "options, the share whose verdict was the bundle's; — without reruns."

function submissionRows(submission: LeaderboardSubmission): string[] {
  const bundle = submission.viewer ? `<a href="${escapeHtml(submission.viewer)}">${escapeHtml(submission.bundle)}</a>` : escapeHtml(submission.bundle)
  const { verification } = submission
  if (!verification.verified || submission.rows.length === 0) {
    const why = verification.verified ? 'verified, but it holds no run to show' : `not verified: ${verification.reason}`
    return [
      row(submission, 'not-verified', [
        cell('bundle', bundle, true),
        `<td class="figures" colspan="${FIGURE_COLUMNS}">${NONE}</td>`,
        cell('verification', escapeHtml(why)),
        cell('signer', NONE),
        cell('rerun', NONE),
      ]),
    ]
  }
  const signer = verification.signer ?? 'unsigned'
  const verified = `verified: ${verification.pairs} pair(s) evaluated again, ${verification.figures} figures alike`
  return submission.rows.map((r) =>
    row(submission, 'verified', [
      cell('bundle', bundle, true),
      cell('run', escapeHtml(r.run)),
      cell('setting', escapeHtml(settingText(r))),
      cell('agent', escapeHtml(r.agent)),
      cell('model', escapeHtml(r.model)),
      cell('passed', `${r.passed}/${r.judged}`),
      cell('rate', escapeHtml(rateText(r))),
      cell('deficit', deficitHtml(r)),
      cell('verification', escapeHtml(verified)),
      cell('signer', `<code>${escapeHtml(signer)}</code>`),
      cell('rerun', r.rerunAgreement === null ? NONE : escapeHtml(cellText(rate(r.rerunAgreement), PLAIN_CELLS))),
    ]),
  )
}

/** `coop`, `team, no scratchpad`, `coop, pairs of 3 features`. */
function settingText(r: SubmissionRow): string {
  return [r.setting, r.variant, r.pairSize === 2 ? null : `pairs of ${r.pairSize} features`].filter((p) => p !== null).join(', ')
}

/** `100.0% [20.7%, 100.0%]`, as the report writes an estimate; — without a judged pair. */
function rateText(r: SubmissionRow): string {
  if (r.rate === null || r.ci === null) return NONE
  return cellText(estimate({ rate: r.rate, ...r.ci }), PLAIN_CELLS)
}

/** The report's relative deficit cell, and against which solo run; — for solo rows and without one. */
function deficitHtml(r: SubmissionRow): string {
  const d = r.deficit
  if (d === null) return NONE
  const against = `vs ${d.soloRun} (${d.soloBundle}), ${d.pairs} common pair${d.pairs === 1 ? '' : 's'}`
  return `<span class="value">${escapeHtml(cellText(relative(d.relative), PLAIN_CELLS))}</span><br /><small>${escapeHtml(against)}</small>`
}

function row(submission: LeaderboardSubmission, kind: string, cells: string[]) {
  return `        <tr class="${kind}" data-bundle="${escapeHtml(submission.bundle)}">${cells.join('')}</tr>`
}

function cell(name: string, html: string, header = false) {
  const tag = header ? 'th scope="row"' : 'td'
  return `<${tag} class="${name}">${html}</${header ? 'th' : 'td'}>`
}

function escapeHtml(text: string) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
.made, .caption { color: #57606a; max-width: 70rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #d0d7de; padding: .35rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
td.passed, td.rate, th.bundle, td.run, td.deficit .value { white-space: nowrap; }
td.passed, td.rate { text-align: right; }
td.verification { min-width: 14rem; max-width: 24rem; overflow-wrap: anywhere; }
td.signer { min-width: 11rem; max-width: 14rem; }
td.signer code { font-size: 12px; overflow-wrap: anywhere; }
tr.not-verified td.verification { color: #cf222e; }
small { color: #57606a; }
`
