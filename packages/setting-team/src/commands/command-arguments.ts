/** The team commands' arguments as the reference's `coop-task` argparse parser reads them (0.0.16 `team_harness/coop_task.py`), and its messages. */

export interface SubcommandSpec {
  usage: string
  /** Required positionals, in order. */
  positional: string[]
  /** Optional positionals after them (argparse `nargs='?'`). */
  optional?: string[]
  /** Value-taking option → the name its value is stored under. */
  values: Record<string, string>
  /** Flag → the name stored as `true`. */
  flags: Record<string, string>
}

/** The arguments of a command line that parsed. */
export interface Arguments {
  positional: string[]
  options: Record<string, string | true>
}

export function parseArguments(spec: SubcommandSpec, args: readonly string[]): { help: true } | { error: string } | Arguments {
  const positional: string[] = []
  const options: Record<string, string | true> = {}
  const unknown: string[] = []
  let onlyPositional = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (onlyPositional || arg === '-' || !arg.startsWith('-')) {
      positional.push(arg)
      continue
    }
    if (arg === '--') {
      onlyPositional = true
      continue
    }
    if (arg === '-h' || arg === '--help') return { help: true }
    const eq = arg.indexOf('=')
    const name = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg
    const value = spec.values[name]
    if (value) {
      if (eq > 0 && arg.startsWith('--')) options[value] = arg.slice(eq + 1)
      else if (i + 1 < args.length && !(args[i + 1]!.startsWith('-') && args[i + 1] !== '-')) options[value] = args[++i]!
      else return { error: `argument ${Object.keys(spec.values).join('/')}: expected one argument` }
      continue
    }
    const flag = spec.flags[arg]
    if (flag) options[flag] = true
    else unknown.push(arg)
  }
  if (positional.length < spec.positional.length) {
    return { error: `the following arguments are required: ${spec.positional.slice(positional.length).join(', ')}` }
  }
  unknown.push(...positional.slice(spec.positional.length + (spec.optional?.length ?? 0)))
  if (unknown.length > 0) return { error: `unrecognized arguments: ${unknown.join(' ')}` }
  return { positional, options }
}

export interface CommandAnswer {
  exitCode: number
  /** Printed on stdout when `exitCode` is 0, on stderr otherwise (the reference's split). */
  output: string
}

/** argparse's error: the usage line, then `<prog>: error: <message>`, exit 2. */
export function usageError(usage: string, message: string): CommandAnswer {
  const prog = usage.slice('usage: '.length).split(' [')[0]
  return { exitCode: 2, output: `${usage}\n${prog}: error: ${message}\n` }
}

/**
 * argparse's message for an unknown subcommand, under the top parser's usage line, which lists its
 * subcommands.
 */
export function invalidChoice(sub: string, subcommands: readonly string[]): CommandAnswer {
  const message = `argument cmd: invalid choice: ${pyRepr(sub)} (choose from ${subcommands.map(pyRepr).join(', ')})`
  return usageError(`usage: coop-task [-h] {${subcommands.join(',')}} ...`, message)
}

/** Python's `repr` of a str, for the messages the reference prints with `!r`. */
export function pyRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'"
  const body = value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t').replaceAll(quote, `\\${quote}`)
  return `${quote}${body}${quote}`
}
