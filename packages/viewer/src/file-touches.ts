import type { AgentLane, FileTouch } from './model.js'

/** Commands that change the files they name (at a command position on the line). */
const WRITING_COMMAND =
  /(?:^|[;&|(]|\s)(?:sed\s+(?:-\w+\s+)*-i|sed\s+--in-place|perl\s+-\w*i|tee|patch|git\s+(?:apply|checkout\s+--|restore)|apply_patch|mv|cp|rm|touch)\b/

/**
 * Who touched which file when: every step whose commands name a file of the final patches, as an
 * edit when the line that names it writes it (a redirect into it, `sed -i`, `tee`, `patch`, a
 * Python `open(…, 'w')`…), as a read otherwise. Read from commands, so an edit made through a
 * script that does not name the file is not seen: the final patches say what was changed, this
 * says when each agent was busy with which file.
 */
export function fileTouches(lanes: readonly AgentLane[]): FileTouch[] {
  const paths = [...new Set(lanes.flatMap((lane) => lane.patch.files.map((f) => f.path)))].sort()
  const touches: FileTouch[] = []
  for (const path of paths) {
    for (const lane of lanes) {
      for (const step of lane.steps) {
        const lines = step.commands.flatMap((command) => command.split('\n')).filter((line) => names(line, path))
        if (lines.length === 0) continue
        touches.push({ path, lane: lane.id, step: step.index, at: step.start, edit: lines.some((line) => writes(line, path)) })
      }
    }
  }
  return touches
}

function names(line: string, path: string): boolean {
  let at = line.indexOf(path)
  while (at !== -1) {
    // The whole path, maybe under a folder (`/repo/textkit/slug.py`), not a longer name (`xtextkit/slug.pyc`).
    const before = at === 0 ? '' : line[at - 1]!
    const after = line[at + path.length] ?? ''
    if (!/[\w.-]/.test(before) && !/[\w-]/.test(after) && !(after === '.' && /[\w]/.test(line[at + path.length + 1] ?? ''))) return true
    at = line.indexOf(path, at + 1)
  }
  return false
}

function writes(line: string, path: string): boolean {
  const quoted = escapeRegExp(path)
  if (new RegExp(`>{1,2}\\s*['"]?(?:[^\\s'"]*/)?${quoted}(?![\\w.-])`).test(line)) return true
  if (new RegExp(`open\\(\\s*['"][^'"]*${quoted}['"]\\s*,\\s*['"][wa]`).test(line)) return true
  return WRITING_COMMAND.test(line)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
