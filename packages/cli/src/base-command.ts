import { Command, Flags, Errors } from '@oclif/core'
import { ExitCode, isCooperbenchError } from '@cooperbench/core'
import { fileSystemError } from '@cooperbench/results'
import { firstLine } from './ui/first-line.js'

/** Every command's base: `--verbose`, `--json`, and one error shape (`error:`/`hint:` on stderr, a distinct exit code, stack with --verbose). */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    verbose: Flags.boolean({ description: 'Show debug output and stack traces.', default: false, helpGroup: 'GLOBAL' }),
  }

  protected verbose = false

  override async init(): Promise<void> {
    this.verbose = this.argv.includes('--verbose')
    await super.init()
  }

  /** The error on stderr; with `--json` also on stdout as `{"error": {code, message, hint, details, exitCode}}`, so a script always gets JSON. */
  protected printError(message: string, hint?: string, details: string[] = [], code = 'FAILURE', exitCode = 1): void {
    if (this.argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}), details, exitCode } }, null, 2)}\n`)
    }
    process.stderr.write(`error: ${message}\n`)
    for (const line of details) process.stderr.write(`  - ${line}\n`)
    if (hint) process.stderr.write(`hint: ${hint}\n`)
  }

  /** Exits with `exitCode`; with --json, prints `value` first (oclif prints only what `run` returns). */
  protected exitWith(exitCode: number, value: unknown): never {
    if (this.jsonEnabled()) this.logJson(value)
    return this.exit(exitCode)
  }

  protected override async catch(raw: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (raw instanceof Errors.ExitError) throw raw
    // A file system error from anywhere (EACCES, EROFS, ENOSPC…) is the user's to fix, not a bug.
    const error = fileSystemError(raw) as typeof raw
    if (isCooperbenchError(error)) {
      // A single detail that the message already quotes would only repeat it.
      const repeatsMessage = error.details.length === 1 && error.message.includes(error.details[0]!)
      this.printError(error.message, error.hint, repeatsMessage ? [] : error.details, error.code, error.exitCode)
      if (this.verbose && error.stack) process.stderr.write(`${error.stack}\n`)
      return this.exit(error.exitCode)
    }
    if (isParseError(error)) {
      // A setting's own flags (`--team-no-mcp`) come from installed plugins, so `run --help` cannot list them.
      const settings = this.id === 'run' && /Nonexistent flag/.test(error.message) ? `; a setting's own flags: \`${this.config.bin} settings\`` : ''
      const help = `See \`${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help\`${settings}.`
      this.printError(parseMessage(error.message), help, [], 'USAGE', ExitCode.usage)
      return this.exit(ExitCode.usage)
    }
    const bugHint = 'This looks like a bug in cooperbench; rerun with --verbose and report it.'
    this.printError(firstLine(error.message || String(error)), bugHint, [], 'INTERNAL', ExitCode.failure)
    if (this.verbose && error.stack) process.stderr.write(`${error.stack}\n`)
    return this.exit(ExitCode.failure)
  }
}

function isParseError(error: Error) {
  const name = error.constructor?.name ?? ''
  // A flag's own parser (oclif's integer flags, for one) throws a plain Error "Parsing --flag\n\t<reason>".
  return (
    /Parse|Flag|Arg|RequiredArg|Unexpected|FailedFlagValidation/.test(name) ||
    (error as { parse?: unknown }).parse !== undefined ||
    /^Parsing --?\S+/.test(error.message ?? '') ||
    // oclif's parser says so of a flag given twice (`-a x -a y`), or without its value (`--setting` last), with a plain CLIError.
    /^Flag --?\S+ (can only be specified once|expects a value)/.test(error.message ?? '')
  )
}

/** The parser's message on one line, the reason included: `Parsing --concurrency: Expected an integer …`. */
function parseMessage(message: string) {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help/.test(line))
  return lines.length <= 1 ? (lines[0] ?? message) : `${lines[0]}: ${lines.slice(1).join(' ')}`
}
