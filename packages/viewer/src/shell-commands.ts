/**
 * A command line read just enough to say which program gets which words: simple commands between `;`, `&&`, `||`, `|`, `&` and parentheses
 * (quotes respected), output redirects, here-documents; no expansion or aliases. Enough to tell `rm slug.py` from `echo "I did not rm slug.py"`.
 */
export interface SimpleCommand {
  /** The words, quotes removed, redirects and their targets left out. */
  words: string[]
  /** Files written by `>`, `>>`, `&>`, `2>` … (not `>&2`). */
  writesTo: string[]
  /** Bodies of the here-documents (`<<EOF … EOF`) the command reads. */
  heredocs: string[]
}

/** Every simple command of a (multi-line) command, here-document bodies attached to the command that opens them. */
export function simpleCommands(command: string): SimpleCommand[] {
  const lines = command.split('\n')
  const found: SimpleCommand[] = []
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseLine(lines[i]!)
    for (const { simple, delimiter } of parsed.pendingHeredocs) {
      const body: string[] = []
      i++
      while (i < lines.length && lines[i]!.replace(/^\t+/, '') !== delimiter) body.push(lines[i++]!)
      simple.heredocs.push(body.join('\n'))
    }
    found.push(...parsed.commands)
  }
  return found
}

/** The program a simple command runs: its first word after `VAR=value` assignments, `sudo`, `env`, `command`, `time`, as a base name. */
export function programOf(simple: SimpleCommand): { program: string; args: string[] } {
  let at = 0
  while (at < simple.words.length && (/^[A-Za-z_]\w*=/.test(simple.words[at]!) || /^(?:sudo|env|command|time|nohup|exec)$/.test(simple.words[at]!))) at++
  const first = simple.words[at] ?? ''
  return { program: first.slice(first.lastIndexOf('/') + 1), args: simple.words.slice(at + 1) }
}

function parseLine(line: string) {
  const commands: SimpleCommand[] = []
  const pendingHeredocs: Array<{ simple: SimpleCommand; delimiter: string }> = []
  let current: SimpleCommand = { words: [], writesTo: [], heredocs: [] }
  let word = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  let next: 'word' | 'redirect' | 'heredoc' = 'word'
  const endWord = () => {
    if (!inWord) return
    if (next === 'redirect') {
      if (!word.startsWith('&')) current.writesTo.push(word)
    } else if (next === 'heredoc') pendingHeredocs.push({ simple: current, delimiter: word })
    else current.words.push(word)
    next = 'word'
    word = ''
    inWord = false
  }
  const endCommand = () => {
    endWord()
    if (current.words.length || current.writesTo.length) commands.push(current)
    current = { words: [], writesTo: [], heredocs: [] }
  }
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quote) {
      if (c === quote) quote = null
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i]
      else word += c
      continue
    }
    if (c === "'" || c === '"') {
      quote = c
      inWord = true
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i]
      inWord = true
    } else if (c === '#' && !inWord) {
      break
    } else if (/\s/.test(c)) {
      endWord()
    } else if (c === '<' && line[i + 1] === '<' && line[i + 2] !== '<') {
      endWord()
      i += line[i + 2] === '-' ? 2 : 1
      next = 'heredoc'
    } else if (c === '>' || (c === '&' && line[i + 1] === '>')) {
      // `2>` and `&>`: the descriptor is not a word.
      if (/^\d$/.test(word) && inWord) {
        word = ''
        inWord = false
      } else endWord()
      while (line[i + 1] === '>') i++
      if (line[i + 1] === '&') {
        // `>&2`, `2>&1`: a descriptor duplicated, no file.
        i++
        while (/[\d-]/.test(line[i + 1] ?? '')) i++
        continue
      }
      if (line[i + 1] === '|') i++
      next = 'redirect'
    } else if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')' || c === '`' || (c === '$' && line[i + 1] === '(')) {
      // A fd duplication (`>&2`) was handled with its `>`; here `&` and `|` end a command.
      endCommand()
      if (c === '$') i++
    } else {
      word += c
      inWord = true
    }
  }
  endCommand()
  return { commands, pendingHeredocs }
}
