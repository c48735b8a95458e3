import { Errors, type Hook } from '@oclif/core'
import { ExitCode } from '@cooperbench/spec'

/**
 * An unknown command. `dev …` commands are the repository's developer tools (the private dev
 * plugin @cooperbench/dev-tools, `oclif.devPlugins`), which oclif loads only in a checkout
 * (`pnpm cooperbench`): an installed CLI says where they are instead of a bare "not found".
 * Any other id gets oclif's own answer.
 */
const hook: Hook<'command_not_found'> = async function ({ id }) {
  const hint = devCommandHint(id)
  if (hint === null) throw new Errors.CLIError(`command ${id} not found`)
  process.stderr.write(`error: command ${spaced(id)} not found\nhint: ${hint}\n`)
  this.exit(ExitCode.usage)
}

export default hook

/** The hint for a `dev …` command the installed CLI does not have, or null for any other id. */
export function devCommandHint(id: string): string | null {
  if (id !== 'dev' && !id.startsWith('dev:')) return null
  return (
    '`dev` commands are developer tools of the cooperbench repository (the private @cooperbench/dev-tools), ' +
    `not part of the installed CLI: in a checkout of the repository, run \`pnpm cooperbench ${spaced(id)}\`.`
  )
}

const spaced = (id: string) => id.replaceAll(':', ' ')
