import { isCooperbenchError } from '@cooperbench/spec'
import { Command, Errors, Flags } from '@oclif/core'

/**
 * The dev commands' base: a CooperbenchError reads as the CLI's (`error:`/`hint:` on stderr, its code's exit status, stack only with
 * --verbose); others are oclif's. Not the CLI's BaseCommand: the CLI lists this as a dev plugin, so importing it back would be a cycle.
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
