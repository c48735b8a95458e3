import { Help } from '@oclif/core'
import { getHelpFlagAdditions, standardizeIDFromArgv } from '@oclif/core/help'
import { exitIfDevCommand } from './hooks/command-not-found.js'

/** oclif's help, except that a `dev …` command this CLI lacks gets the answer running it gets (`hooks/command-not-found.ts`), not "Command … not found.". */
export default class CooperbenchHelp extends Help {
  override async showHelp(argv: string[]): Promise<void> {
    const subject = helpSubject(argv, this.config)
    if (subject !== undefined && !this.config.findCommand(subject) && !this.config.findTopic(subject)) exitIfDevCommand(subject, this.config.root)
    await super.showHelp(argv)
  }
}

/** The command or topic id a help request names, as oclif's help finds it (`dev model-server --help` → `dev:model-server`). */
function helpSubject(argv: string[], config: Help['config']) {
  const helpFlags = getHelpFlagAdditions(config)
  const words = standardizeIDFromArgv(
    argv.filter((arg) => !helpFlags.includes(arg)),
    config,
  )
  for (const word of words) {
    if (word === '--' || word.startsWith('-')) return undefined
    if (word !== 'help') return word
  }
  return undefined
}
