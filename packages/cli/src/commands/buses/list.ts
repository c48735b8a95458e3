import { listHelp, RegisteredListCommand } from '../../list-command.js'

const help = listHelp('bus', 'buses', 'buses')

export default class BusesList extends RegisteredListCommand {
  static override summary = help.summary
  static override description = help.description
  static override examples = help.examples
  protected readonly kind = 'bus'
}
