import type { AgentLane, FileTouch, PatchFile, Step } from './model.js'
import { programOf, type SimpleCommand, simpleCommands } from './shell-commands.js'

/** Programs whose file arguments they change. */
const CHANGES_ITS_FILES = new Set(['tee', 'touch', 'rm', 'unlink', 'truncate', 'shred', 'ed', 'ex', 'dos2unix'])
/** Programs that change their last argument (the destination). */
const CHANGES_ITS_DESTINATION = new Set(['cp', 'install', 'ln', 'rsync'])
/** Programs that apply a patch: from a here-document, or from a file the command names. */
const APPLIES_A_PATCH = new Set(['patch', 'apply_patch', 'applypatch'])
/** Interpreters whose scripts (here-documents, `-c`/`-e`) can write files. */
const INTERPRETER = /^(?:python[\d.]*|node|perl|ruby|bash|sh|zsh|php)$/
/** Teammate messaging: what agents say is never an action on a file. */
const MESSAGING = new Set(['send_message', 'broadcast', 'check_messages'])
/** A script call that writes or removes a file. */
const SCRIPT_WRITE =
  /open\([^)]*,\s*(?:mode\s*=\s*)?['"][^'"]*[wax+][^'"]*['"]|\.write_(?:text|bytes)\(|writeFile(?:Sync)?\(|os\.(?:remove|unlink|rename|replace)\(|shutil\.(?:copy\w*|move)\(|\.unlink\(|File\.write\(/
/** An added line of a final patch this long (trimmed) is specific enough to say that a script carrying it wrote it. */
const TELLING_LINE = 12

/**
 * Every step whose commands act on a file of the final patches. A step **edits** a file by:
 * - targeting it: a redirect, `sed -i`/`perl -i`, `tee`, `touch`, `rm`, `truncate`, `cp`/`mv` into it, `mv` of it, `git checkout`/`restore`/`rm`/`mv`;
 * - applying a patch (`git apply`, `patch`, `apply_patch`): the files its text names if the command holds it, else, when the step
 *   did not fail, every file of the agent's final patch (what applying it changed: the oracle's steps);
 * - a script (here-document, `python -c` …) that names the file and writes files, or holds a line the final patch adds to it.
 * Any other command naming the file **reads** it. Messages to teammates (`send_message` and its here-document) and prose are
 * skipped, and a program counts only where a command starts (`echo "did not rm x.py"` reads x.py).
 */
export function fileTouches(lanes: readonly AgentLane[]): FileTouch[] {
  const paths = [...new Set(lanes.flatMap((lane) => lane.patch.files.map((f) => f.path)))].sort()
  const touches: FileTouch[] = []
  for (const path of paths) {
    for (const lane of lanes) {
      const ownFile = lane.patch.files.find((f) => f.path === path) ?? null
      for (const step of lane.steps) {
        const touch = stepTouch(step, path, ownFile)
        if (touch !== null) touches.push({ path, lane: lane.id, step: step.index, at: step.start, edit: touch === 'edit' })
      }
    }
  }
  return touches
}

/** What one step did to `path`: `ownFile` is the file's section of this agent's final patch, if it changes the file. */
function stepTouch(step: Step, path: string, ownFile: PatchFile | null): 'edit' | 'read' | null {
  let touch: 'edit' | 'read' | null = null
  for (const simple of step.commands.flatMap(simpleCommands)) {
    const found = commandTouch(simple, path, ownFile, step)
    if (found === 'edit') return 'edit'
    touch ??= found
  }
  return touch
}

function commandTouch(simple: SimpleCommand, path: string, ownFile: PatchFile | null, step: Step): 'edit' | 'read' | null {
  const { program, args } = programOf(simple)
  if (MESSAGING.has(program)) return null
  const named = (text: string) => names(text, path)
  const files = args.filter((a) => !a.startsWith('-'))
  if (simple.writesTo.some(named)) return 'edit'
  const script = scriptOf(program, args, simple.heredocs)
  if (
    (program === 'sed' && args.some((a) => /^-[a-zA-Z]*i|^--in-place/.test(a)) && files.some(named)) ||
    (program === 'perl' && args.some((a) => /^-[a-zA-Z]*i/.test(a)) && files.some(named)) ||
    (CHANGES_ITS_FILES.has(program) && files.some(named)) ||
    (CHANGES_ITS_DESTINATION.has(program) && files.length > 1 && named(files.at(-1)!)) ||
    (program === 'mv' && files.some(named)) ||
    (program === 'git' && /^(?:checkout|restore|rm|mv)$/.test(files[0] ?? '') && files.slice(1).some(named))
  )
    return 'edit'
  const appliesPatch = APPLIES_A_PATCH.has(program) || (program === 'git' && files[0] === 'apply' && !args.includes('--check'))
  if (appliesPatch) {
    const text = simple.heredocs.join('\n')
    if (text) return patchTextNames(text, path) ? 'edit' : null
    return ownFile !== null && step.returncode !== null && step.returncode !== 0 ? null : ownFile !== null ? 'edit' : args.some(named) ? 'read' : null
  }
  if (script !== null && named(script)) return SCRIPT_WRITE.test(script) || carriesAddedLine(script, ownFile) ? 'edit' : 'read'
  return args.some(named) || simple.heredocs.some(named) ? 'read' : null
}

/** The script an interpreter runs from the command itself: its here-documents, or its `-c`/`-e` argument. */
function scriptOf(program: string, args: string[], heredocs: string[]) {
  if (!INTERPRETER.test(program)) return null
  const inline = args.findIndex((a) => a === '-c' || a === '-e' || /^-[a-z]*[ce]$/.test(a))
  const parts = [...heredocs, ...(inline !== -1 && args[inline + 1] !== undefined ? [args[inline + 1]!] : [])]
  return parts.length ? parts.join('\n') : null
}

/** Whether a script holds a line that the agent's final patch adds to the file: it wrote what ended up there. */
function carriesAddedLine(script: string, ownFile: PatchFile | null) {
  if (!ownFile) return false
  return ownFile.lines.some((line) => {
    if (!line.startsWith('+') || line.startsWith('+++')) return false
    const added = line.slice(1).trim()
    return added.length >= TELLING_LINE && script.includes(added)
  })
}

/** A unified diff's or apply_patch's file headers naming the path. */
function patchTextNames(text: string, path: string) {
  return text.split('\n').some((line) => {
    const header = /^(?:\+\+\+ |--- |\*\*\* (?:Update|Add|Delete) File: |diff --git )(.*)$/.exec(line)
    return header !== null && names(header[1]!, path)
  })
}

/** The whole path in the text, maybe under a folder (`/repo/textkit/slug.py`), not a longer name (`xtextkit/slug.pyc`). */
function names(text: string, path: string) {
  let at = text.indexOf(path)
  while (at !== -1) {
    const before = at === 0 ? '' : text[at - 1]!
    const after = text[at + path.length] ?? ''
    if (!/[\w.-]/.test(before) && !/[\w-]/.test(after) && !(after === '.' && /\w/.test(text[at + path.length + 1] ?? ''))) return true
    at = text.indexOf(path, at + 1)
  }
  return false
}
