import { useState } from 'preact/hooks'
import type { PairSettingView } from '../../../src/model.ts'

/** Files the pair's setting left to read (the team's scratchpad at the end): a list, and the chosen file's text. */
export function SettingFiles({ files: { files, empty } }: { files: NonNullable<PairSettingView['files']> }) {
  const [open, setOpen] = useState<string | null>(files.find((f) => f.text !== null)?.path ?? null)
  if (files.length === 0) return <p class="empty">{empty ?? 'No files.'}</p>
  const shown = files.find((f) => f.path === open)
  return (
    <div class="setting-files">
      <ul class="file-list">
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
            <span class="size">{` ${f.size} bytes${f.text === null ? ', binary: not shown' : f.truncated ? ', cut: its start shown' : ''}`}</span>
          </li>
        ))}
      </ul>
      {shown && shown.text !== null && (
        <pre class="file-text" data-path={shown.path}>
          {shown.text}
        </pre>
      )}
    </div>
  )
}
