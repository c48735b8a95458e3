import { listHelp, RegisteredListCommand } from '../../list-command.js'

const help = listHelp('agent', 'agents', 'agents')

export default class AgentsList extends RegisteredListCommand {
  static override summary = help.summary
  static override description = help.description
  static override examples = help.examples
  protected readonly kind = 'agent'
}
