import { registeredListCommand } from '../list-command.js'

/** `cooperbench settings`: the installed collaboration settings and their options. */
export default registeredListCommand('setting', { aliases: ['setting'] })
