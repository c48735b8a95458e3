import { listHelp, RegisteredListCommand } from '../../list-command.js'

const help = listHelp('backend', 'backends', 'backends')

export default class BackendsList extends RegisteredListCommand {
  static override summary = help.summary
  static override description = help.description
  static override examples = help.examples
  protected readonly kind = 'backend'
}
