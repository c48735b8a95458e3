import { listHelp, RegisteredListCommand } from '../../list-command.js'

const help = listHelp('evaluator', 'evaluators', 'evaluators')

export default class EvaluatorsList extends RegisteredListCommand {
  static override summary = help.summary
  static override description = help.description
  static override examples = help.examples
  protected readonly kind = 'evaluator'
}
