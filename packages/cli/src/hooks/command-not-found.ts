import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { Errors, type Hook } from '@oclif/core'
import { ExitCode } from '@cooperbench/spec'
import { shellWord } from '@cooperbench/spec-utils/host'

/** Unknown commands: `dev …` ones (`oclif.devPlugins` @cooperbench/dev-tools) load only via the checkout's bin/dev.js, so say where; others: oclif's answer. */
const hook: Hook<'command_not_found'> = async function ({ id }) {
  exitIfDevCommand(id, this.config.root)
  throw new Errors.CLIError(`command ${id} not found`)
}

export default hook

/** For a `dev …` id the CLI at `cliRoot` lacks, says where it is and exits with the usage code (`ExitError`, so `help.ts` answers alike). */
export function exitIfDevCommand(id: string, cliRoot: string): void {
  // The checkout's root folder (its package.json has the `cooperbench` script) is two levels above the CLI's package folder.
  const hint = devCommandHint(id, isCheckout(cliRoot) ? resolve(cliRoot, '..', '..') : null)
  if (hint === null) return
  process.stderr.write(`error: command ${spaced(id)} not found\nhint: ${hint}\n`)
  Errors.exit(ExitCode.usage)
}

/** Whether the CLI runs from a checkout: its folder has bin/dev.js, which the published package never ships (`files` holds bin/run.js only). */
export function isCheckout(cliRoot: string): boolean {
  return existsSync(join(cliRoot, 'bin', 'dev.js'))
}

/** The hint for a `dev …` command the CLI lacks, else null; `checkout`: the root of the checkout the CLI runs from, null when installed. */
export function devCommandHint(id: string, checkout: string | null, cwd: string = process.cwd()): string | null {
  if (id !== 'dev' && !id.startsWith('dev:')) return null
  const command = `pnpm cooperbench ${spaced(id)}`
  if (checkout !== null) {
    const intro =
      '`dev` commands are developer tools (the private @cooperbench/dev-tools) that only bin/dev.js loads, not bin/run.js (the published entry point): '
    if (runsRootScript(checkout, cwd)) return `${intro}in this checkout, run \`${command}\`.`
    // Elsewhere pnpm finds no such script (outside the checkout), or runs a package's own `cooperbench` bin: bin/run.js again.
    return `${intro}run it from the checkout's root: \`cd ${shellWord(checkout)} && ${command}\`.`
  }
  return (
    '`dev` commands are developer tools of the cooperbench repository (the private @cooperbench/dev-tools), ' +
    `not part of the installed CLI: in a checkout of the repository, run \`${command}\`.`
  )
}

/** Whether `pnpm cooperbench` in `cwd` runs the root's script: the nearest package.json above `cwd` is the root's. */
function runsRootScript(root: string, cwd: string) {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir === resolve(root)
    if (dirname(dir) === dir) return false
  }
}

const spaced = (id: string) => id.replaceAll(':', ' ')
