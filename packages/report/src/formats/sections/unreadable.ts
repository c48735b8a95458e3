import type { RunReport } from '../../model/report.js'
import { type ReportSection, text } from './section-model.js'

/** Files that could not be read, each named with why: their pairs are in no count of the report. */
export function unreadableSection(unreadable: RunReport['unreadable']): ReportSection {
  const pairs = new Set(unreadable.map((u) => u.dir)).size
  return {
    id: 'unreadable',
    title: `Unreadable: ${unreadable.length} file(s) of ${pairs} pair(s), left out of every count above (not failed, not running)`,
    caption: "Each file with why it could not be read: not JSON, or not of its record's shape.",
    columns: [
      { label: 'run', csv: 'run' },
      { label: 'problem', csv: 'note' },
    ],
    rows: unreadable.map((u) => [text(u.run), text(u.problem)]),
    notes: [],
  }
}
