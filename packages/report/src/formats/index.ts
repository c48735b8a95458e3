import type { RunReport } from '../model/report.js'
import { renderCsv } from './csv.js'
import { renderLatex } from './latex.js'
import { renderMarkdown } from './markdown.js'
import { formatReport } from './text.js'

/** The formats of `cooperbench report --format`: each renders the same RunReport. */
export const REPORT_FORMATS = ['text', 'md', 'csv', 'json', 'latex'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

/** The report in `format` as a whole file: every line ends in a line break (CRLF for CSV, as RFC 4180 has it). */
export function renderReport(report: RunReport, format: ReportFormat): string {
  switch (format) {
    case 'text':
      return `${formatReport(report)}\n`
    case 'md':
      return `${renderMarkdown(report)}\n`
    case 'csv':
      return renderCsv(report)
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`
    case 'latex':
      return `${renderLatex(report)}\n`
  }
}

export { shareText } from './labels.js'
