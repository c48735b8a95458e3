import type { OverlapRegion, PatchFile, PatchView } from './model.js'

/** A unified diff (`git diff` output) split into its files, with each file's hunks. */
export function parsePatch(text: string): PatchView {
  const files: PatchFile[] = []
  let file: PatchFile | null = null
  for (const line of text.split('\n')) {
    const header = /^diff --git a\/(.+?) b\/(.+)$/.exec(line)
    if (header) {
      file = { path: header[2]!, added: 0, removed: 0, lines: [], hunks: [], shared: false }
      files.push(file)
    }
    if (!file) continue
    file.lines.push(line)
    const hunk = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@/.exec(line)
    if (hunk) {
      file.hunks.push({ header: line, oldStart: Number(hunk[1]), oldLines: hunk[2] === undefined ? 1 : Number(hunk[2]), firstLine: file.lines.length - 1 })
    } else if (file.hunks.length > 0) {
      if (line.startsWith('+') && !line.startsWith('+++')) file.added++
      else if (line.startsWith('-') && !line.startsWith('---')) file.removed++
    }
  }
  for (const f of files) while (f.lines.length > 0 && f.lines.at(-1) === '') f.lines.pop()
  return { text, files }
}

/** Files that more than one of the patches touch; marks them `shared` in place. */
export function markSharedFiles(patches: PatchView[]): string[] {
  const count = new Map<string, number>()
  for (const patch of patches) for (const path of new Set(patch.files.map((f) => f.path))) count.set(path, (count.get(path) ?? 0) + 1)
  const shared = [...count]
    .filter(([, n]) => n > 1)
    .map(([path]) => path)
    .sort()
  for (const patch of patches) for (const f of patch.files) f.shared = shared.includes(f.path)
  return shared
}

/** Hunks of two agents changing overlapping or touching lines of one base file: where git's naive merge conflicts. */
export function overlappingHunks(patches: Array<{ agent: string; patch: PatchView }>): OverlapRegion[] {
  const regions: OverlapRegion[] = []
  for (let i = 0; i < patches.length; i++) {
    for (let j = i + 1; j < patches.length; j++) {
      const a = patches[i]!
      const b = patches[j]!
      for (const fa of a.patch.files) {
        const fb = b.patch.files.find((f) => f.path === fa.path)
        if (!fb) continue
        for (const ha of fa.hunks) {
          for (const hb of fb.hunks) {
            const ra = changedRange(fa, ha)
            const rb = changedRange(fb, hb)
            if (ra[0] <= rb[1] + 1 && rb[0] <= ra[1] + 1) regions.push({ path: fa.path, agents: [a.agent, b.agent], ranges: [ra, rb] })
          }
        }
      }
    }
  }
  return regions
}

/** Base-file lines a hunk really changes (its context lines left out), 1-based inclusive. */
function changedRange(file: PatchFile, hunk: PatchFile['hunks'][number]): [number, number] {
  let line = hunk.oldStart
  let first: number | null = null
  let last: number | null = null
  for (let k = hunk.firstLine + 1; k < file.lines.length; k++) {
    const text = file.lines[k]!
    if (text.startsWith('@@') || text.startsWith('diff --git')) break
    if (text.startsWith('-')) {
      first ??= line
      last = line
      line++
    } else if (text.startsWith('+')) {
      // An insertion sits between line-1 and line.
      first ??= Math.max(line - 1, 1)
      last = Math.max(last ?? line - 1, line - 1, first)
    } else if (!text.startsWith('\\')) {
      line++
    }
  }
  return first === null ? [hunk.oldStart, hunk.oldStart + Math.max(hunk.oldLines - 1, 0)] : [first, last ?? first]
}
