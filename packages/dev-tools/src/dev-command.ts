import { isCooperbenchError } from '@cooperbench/spec'
import { Command, Errors, Flags } from '@oclif/core'

/**
 * The dev tools' commands' base: a CooperbenchError they throw reads as the CLI's do (`error: …` and `hint: …` on stderr,
 * the code's exit status, a stack only with --verbose); anything else is oclif's to print. Not the CLI's BaseCommand:
 * the CLI lists this package as a dev plugin, so importing the CLI back would make a package cycle.
 */
export abstract class DevCommand extends Command {
  static override baseFlags = {
    verbose: Flags.boolean({ description: 'Show stack traces.', default: false, helpGroup: 'GLOBAL' }),
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof Errors.ExitError || !isCooperbenchError(error)) return super.catch(error)
    process.stderr.write(`error: ${error.message}\n`)
    for (const line of error.details) process.stderr.write(`  - ${line}\n`)
    if (error.hint) process.stderr.write(`hint: ${error.hint}\n`)
    if (this.argv.includes('--verbose') && error.stack) process.stderr.write(`${error.stack}\n`)
    return this.exit(error.exitCode)
  }
}
