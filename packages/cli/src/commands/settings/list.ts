import { registeredListCommand } from '../../list-command.js'

export default registeredListCommand('setting')
