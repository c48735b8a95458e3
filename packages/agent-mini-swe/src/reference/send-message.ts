import type { SendMessageCall } from '../agent/send-message.js'

/**
 * `send_message` in a bash command as the reference's agent finds and removes it (0.0.14): heredoc sends anywhere, else
 * double- then single-quoted ones; the rest runs, dangling and doubled `&&`/`||` tidied. Unlike cooperbench-v1's
 * (../agent/send-message.ts), nothing is refused and `--wait` waits for nothing.
 */

// Python's \w in a str pattern is Unicode-aware.
const W = String.raw`[\p{L}\p{N}_]`
const HEAD = String.raw`send_message\s+(--wait\s+)?(${W}+)(\s+--wait)?\s+`
const heredoc = () => new RegExp(String.raw`${HEAD}<<'?(${W}+)'?\s*\n([\s\S]*?)\n\4`, 'gu')
const doubleQuoted = () => new RegExp(String.raw`${HEAD}"([^"]*)"`, 'gu')
const singleQuoted = () => new RegExp(String.raw`${HEAD}'([^']*)'`, 'gu')

export function parseReferenceSends(command: string): SendMessageCall[] {
  const sends = [...command.matchAll(heredoc())].map((m) => ({ recipient: m[2]!, body: m[5]!, wait: Boolean(m[1] || m[3]) }))
  if (sends.length > 0) return sends
  for (const pattern of [doubleQuoted(), singleQuoted()]) {
    for (const m of command.matchAll(pattern)) sends.push({ recipient: m[2]!, body: m[4]!, wait: Boolean(m[1] || m[3]) })
  }
  return sends
}

/** The command without its sends, as the reference tidies it. */
export function stripReferenceSends(command: string): string {
  return command
    .replace(heredoc(), '')
    .replace(doubleQuoted(), '')
    .replace(singleQuoted(), '')
    .replace(/^\s*&&\s*/u, '')
    .replace(/\s*&&\s*(?=\n?$)/u, '')
    .replace(/&&\s*&&/gu, '&&')
    .replace(/\|\|\s*\|\|/gu, '||')
    .trim()
}

/**
 * Upstream 0.0.27's answer to a command that names `send_message` but holds no send its parser reads
 * (agents/default.py, `execute_actions`, read at 04846de): return code 1, nothing sent, nothing run.
 * The model reads it: it must stay upstream's text exactly.
 */
export const MALFORMED_SEND_MESSAGE = [
  'send_message: could not parse that call, so nothing was sent.',
  'Use one of:',
  "  send_message [--wait] <agent> <<'MSG'",
  '  your text',
  '  MSG',
  '  send_message [--wait] <agent> "your text"',
  'The message body is required, and --wait takes no argument.',
].join('\n')

/** Whether `command` names `send_message` as a word (Python's Unicode-aware `\bsend_message\b`). */
export function mentionsSendMessage(command: string): boolean {
  return new RegExp(`(?<!${W})send_message(?!${W})`, 'u').test(command)
}
