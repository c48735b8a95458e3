import { useState } from 'preact/hooks'
import type { ScratchpadFile, TeamView } from '../../../src/model.ts'

/** The scratchpad's files at the end (PLAN.md, the members' patches, the task mirror): a list, and the chosen file's text. */
export function ScratchpadFiles({ files, features }: { files: ScratchpadFile[]; features: TeamView['features'] }) {
  const [open, setOpen] = useState<string | null>(files.find((f) => f.text !== null)?.path ?? null)
  if (files.length === 0) {
    return <p class="empty">{features?.scratchpad === false ? 'No scratchpad (--team-no-scratchpad).' : 'The scratchpad was empty at the end.'}</p>
  }
  const shown = files.find((f) => f.path === open) ?? null
  return (
    <div class="scratchpad">
      <ul class="scratchpad-list">
        {files.map((f) => (
          <li key={f.path}>
            <button
              type="button"
              class={`link${f.path === open ? ' current' : ''}`}
              data-path={f.path}
              disabled={f.text === null}
              onClick={() => setOpen(f.path)}
            >
              {f.path}
            </button>
            <span class="size">{` ${f.size} bytes${f.note ? `, ${f.note}` : ''}`}</span>
          </li>
        ))}
      </ul>
      {shown && shown.text !== null && (
        <pre class="scratchpad-file" data-path={shown.path}>
          {shown.text}
        </pre>
      )}
    </div>
  )
}
