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
