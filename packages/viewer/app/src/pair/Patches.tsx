import type { AgentLane, OverlapRegion, PatchFile } from '../../../src/model.ts'

/** The final patches side by side; files both agents touched are marked, hunks that overlap a teammate's highlighted. */
export function Patches({ lanes, overlaps, sharedFiles }: { lanes: AgentLane[]; overlaps: OverlapRegion[]; sharedFiles: string[] }) {
  return (
    <div>
      {sharedFiles.length > 0 && (
        <p class="shared-summary">
          {'Files both touched: '}
          {sharedFiles.map((f) => (
            <code key={f} class="shared-file">
              {f}
            </code>
          ))}
        </p>
      )}
      <div class="patch-columns" style={{ gridTemplateColumns: `repeat(${lanes.length}, minmax(0, 1fr))` }}>
        {lanes.map((lane) => (
          <div class="patch-column" key={lane.id} data-lane={lane.id}>
            <h3>{`${lane.id}${lane.featureIds.length ? ` (${lane.featureIds.map((f) => `f${f}`).join(', ')})` : ''}`}</h3>
            {lane.patch.files.length === 0 && <p class="empty">Empty patch.</p>}
            {lane.artifact && <Artifact artifact={lane.artifact} />}
            {lane.patch.files.map((file) => (
              <PatchFileView
                key={file.path}
                file={file}
                overlaps={overlaps.filter((o) => o.path === file.path && o.agents.includes(lane.id))}
                agent={lane.id}
              />
            ))}
          </div>
        ))}
      </div>
    </div>
  )
}

/** What a seat submitted besides its patch (a plan), shown as a file of its column. */
function Artifact({ artifact }: { artifact: NonNullable<AgentLane['artifact']> }) {
  return (
    <div class="patch-file artifact" data-path={artifact.file}>
      <div class="patch-file-head">
        <code>{artifact.file}</code>
        <span class="badge">artifact</span>
      </div>
      <pre class="diff">{artifact.text ?? `(no ${artifact.file} in the pair folder)`}</pre>
    </div>
  )
}

export function PatchFileView({ file, overlaps = [], agent }: { file: PatchFile; overlaps?: OverlapRegion[]; agent?: string }) {
  const hot = new Set<number>()
  file.hunks.forEach((hunk, i) => {
    const range: [number, number] = [hunk.oldStart, hunk.oldStart + Math.max(hunk.oldLines - 1, 0)]
    const next = file.hunks[i + 1]?.firstLine ?? file.lines.length
    const overlapping = overlaps.some((o) => {
      const mine = o.ranges[o.agents.indexOf(agent ?? '')]
      return mine !== undefined && mine[0] <= range[1] && range[0] <= mine[1]
    })
    if (overlapping) for (let k = hunk.firstLine; k < next; k++) hot.add(k)
  })
  return (
    <div class={`patch-file${file.shared ? ' shared' : ''}`} data-path={file.path}>
      <div class="patch-file-head">
        <code>{file.path}</code>
        <span class="added">{`+${file.added}`}</span>
        <span class="removed">{`−${file.removed}`}</span>
        {file.shared && <span class="badge shared">both touched</span>}
        {hot.size > 0 && <span class="badge overlap">overlapping edits</span>}
      </div>
      <pre class="diff">
        {file.lines.map((line, i) => (
          <div key={i} class={`${lineClass(line)}${hot.has(i) ? ' hot' : ''}`}>
            {line || ' '}
          </div>
        ))}
      </pre>
    </div>
  )
}

function lineClass(line: string) {
  if (line.startsWith('@@')) return 'hunk'
  if (line.startsWith('diff --git') || line.startsWith('index ') || line.startsWith('+++') || line.startsWith('---')) return 'meta'
  if (line.startsWith('+')) return 'add'
  if (line.startsWith('-')) return 'del'
  return 'ctx'
}
