import type { Deficit, RateRow, RunReport } from '@cooperbench/core/results'
import { columnGroupLabel, judged, percentNumber, reposOf, repoRow, settingCell, unitName } from './labels.js'

/**
 * GitHub-flavoured Markdown: an overall table (a row per run and setting), a per-repo table (a
 * rate and interval column per run and setting) and a line per coordination deficit.
 */
export function renderMarkdown(report: RunReport): string {
  const sections = [overallTable(report)]
  if (report.settings.length > 0) sections.push(perRepoTable(report))
  if (report.deficits.length > 0) sections.push(report.deficits.map(deficitLine).join('\n\n'))
  return sections.join('\n\n')
}

/** Text for a table cell or a line: Markdown's punctuation and the cell separator taken literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>|~#&$]/g, (c) => `\\${c}`).replace(/\s*[\r\n]+\s*/g, ' ')
}

const percent = (x: number | null) => (x === null ? '–' : `${percentNumber(x)}%`)
const interval = (ci: RateRow['ci']) => (ci ? `[${percent(ci.low)}, ${percent(ci.high)}]` : '–')

function overallTable(report: RunReport): string {
  const header = ['run', 'setting', unitName(report), 'evaluated', 'passed', 'failed', 'errors', 'rate', '95% CI', 'cost']
  const align: Align[] = ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'right']
  const rows = report.settings.map((s) => [
    escapeMarkdown(s.runs.join(', ')),
    escapeMarkdown(settingCell(s)),
    String(s.pairs),
    String(s.evaluated),
    String(s.passed),
    String(s.failed),
    String(s.errors),
    percent(s.rate),
    interval(s.ci),
    `$${s.cost.toFixed(2)}`,
  ])
  return markdownTable(header, align, rows)
}

/** A rate with its numerator and denominator: `66.7% (2/3)`; `–` for a run without the repo. */
function rateCell(row: RateRow | null): string {
  if (!row) return '–'
  return row.rate === null ? '–' : `${percent(row.rate)} (${row.passed}/${judged(row)})`
}

function perRepoTable(report: RunReport): string {
  const header = ['repo']
  const align: Align[] = ['left']
  for (const s of report.settings) {
    const label = escapeMarkdown(columnGroupLabel(s))
    header.push(`${label} rate`, `${label} 95% CI`)
    align.push('right', 'left')
  }
  const rows = reposOf(report).map((repo) => [
    escapeMarkdown(repo),
    ...report.settings.flatMap((s) => {
      const row = repoRow(s, repo)
      return [rateCell(row), row ? interval(row.ci) : '–']
    }),
  ])
  return markdownTable(header, align, rows)
}

function deficitLine(d: Deficit): string {
  const teams = d.teamSize === 2 ? '' : `, teams of ${d.teamSize}`
  return (
    `**Coordination deficit** (solo − coop${teams}, ${escapeMarkdown(d.soloRun)} vs ${escapeMarkdown(d.coopRun)}): ` +
    `${percentNumber(d.difference)} points, 95% CI [${percentNumber(d.low)}, ${percentNumber(d.high)}] (solo ${percent(d.solo)}, coop ${percent(d.coop)})`
  )
}

type Align = 'left' | 'right'

function markdownTable(header: string[], align: Align[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  const rule = align.map((a) => (a === 'right' ? '---:' : ':---'))
  return [line(header), line(rule), ...rows.map(line)].join('\n')
}
