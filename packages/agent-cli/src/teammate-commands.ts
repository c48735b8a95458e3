/**
 * The teammate commands of a CLI agent, over a file mailbox the harness polls (`outbox/`, `inbox/`): files and a poll work
 * on every backend (`--network none` too) with no bus client or port in the sandbox, and the transcript is the bus's own.
 */
import { shellQuote } from '@cooperbench/spec-utils/host'

/** The sandbox folder of one CLI run: prompt, stream, stderr, home, mailbox, commands. */
export const CLI_STATE_DIR = '/tmp/.cooperbench-cli'
export const CLI_BIN_DIR = `${CLI_STATE_DIR}/bin`
/** The file mailbox: `outbox/` (the CLI's messages), `inbox/` (the harness's deliveries), `read/`. */
export const MAIL_DIR = `${CLI_STATE_DIR}/mail`

/** A shell function `queue <to> <text>`: one message into the outbox, atomically. */
export const QUEUE_FUNCTION = `queue() {
  tmp="${MAIL_DIR}/outbox/.$$.$(date +%s%N).tmp"
  printf '%s\\n%s' "$1" "$2" > "$tmp" && mv "$tmp" "${MAIL_DIR}/outbox/$(date +%s%N)-$$.msg"
}`

/** A shell function `take_messages`: prints `mailDir`'s inbox messages oldest first, each moved to `read/` first (never shown twice); fails for none. */
export function takeMessagesFunction(mailDir: string = MAIL_DIR): string {
  return `take_messages() {
  taken=1
  for f in $(ls "${mailDir}/inbox" 2>/dev/null | grep '\\.msg$' | sort); do
    mv "${mailDir}/inbox/$f" "${mailDir}/read/$f" 2>/dev/null || continue
    cat "${mailDir}/read/$f"; echo; taken=0
  done
  return $taken
}`
}

/** The command scripts, by file name, for an agent whose teammates are `peers`. */
export function teammateCommandScripts(peers: readonly string[]): Record<string, string> {
  const known = peers.map(shellQuote).join(' ')
  const textFromArgsOrStdin = `if [ $# -gt 0 ]; then text="$*"; elif [ ! -t 0 ]; then text="$(cat)"; else text=""; fi`
  return {
    send_message: `#!/bin/sh
# send_message <agent> <message…>: the message goes to that teammate (text may come on stdin).
${QUEUE_FUNCTION}
to="$1"; [ $# -gt 0 ] && shift
${textFromArgsOrStdin}
case " ${peers.join(' ')} " in *" $to "*) ;; *) echo "send_message: unknown teammate '$to' (teammates: ${peers.join(', ')})" >&2; exit 2 ;; esac
[ -n "$text" ] || { echo "usage: send_message <agent> <message>" >&2; exit 2; }
queue "$to" "$text" && echo "Message sent to $to."
`,
    broadcast: `#!/bin/sh
# broadcast <message…>: the message goes to every teammate.
${QUEUE_FUNCTION}
${textFromArgsOrStdin}
[ -n "$text" ] || { echo "usage: broadcast <message>" >&2; exit 2; }
for to in ${known}; do queue "$to" "$text" || exit 1; done
echo "Message sent to ${peers.join(', ')}."
`,
    check_messages: `#!/bin/sh
# check_messages: prints the messages your teammates sent since the last check, oldest first.
${takeMessagesFunction()}
take_messages || echo "No new messages."
`,
  }
}

/**
 * The CLI home's login-shell files: a login shell (Codex's `bash -lc`) gets PATH reset by /etc/profile, and these put
 * the commands back (`bins`: their folders, as the CLI's PATH has them).
 */
export function homeProfileFiles(home: string, bins: string): Record<string, string> {
  const line = `case ":$PATH:" in *":${bins}:"*) ;; *) export PATH="${bins}:$PATH" ;; esac\n`
  return { [`${home}/.profile`]: line, [`${home}/.bash_profile`]: `${line}[ -f ~/.bashrc ] && . ~/.bashrc\n` }
}

/** The shell command that creates the state folders and makes the command scripts executable. */
export function prepareStateCommand(commands: readonly string[]): string {
  const dirs = ['home', 'bin', 'mail/outbox', 'mail/inbox', 'mail/read'].map((d) => `${CLI_STATE_DIR}/${d}`)
  return `mkdir -p ${dirs.join(' ')}${commands.length > 0 ? ` && chmod 755 ${commands.map((c) => `${CLI_BIN_DIR}/${c}`).join(' ')}` : ''}`
}

/**
 * One poll's script: files stdin's messages (base64, one a line) in the inbox atomically, prints and removes each outbox
 * file (`M <base64>`), then `S` and the stream file from byte `offset + 1` on.
 */
export function pollScript(streamFile: string, offset: number): string {
  return `set -u
n=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  n=$((n + 1)); name="$(date +%s%N)-$n.msg"
  printf '%s' "$line" | base64 -d > "${MAIL_DIR}/inbox/.$name.tmp" && mv "${MAIL_DIR}/inbox/.$name.tmp" "${MAIL_DIR}/inbox/$name"
done
for f in $(ls "${MAIL_DIR}/outbox" 2>/dev/null | grep '\\.msg$' | sort); do
  printf 'M %s\\n' "$(base64 -w0 < "${MAIL_DIR}/outbox/$f")" && rm -f "${MAIL_DIR}/outbox/$f"
done
echo S
[ -f ${streamFile} ] && tail -c +${offset + 1} ${streamFile} | head -c 49152 || true
`
}

/** Splits a poll's output into the outbox messages (recipient and text) and the new stream bytes. */
export function parsePollOutput(stdout: string): { outbox: Array<{ to: string; content: string }>; stream: string } {
  const marker = stdout.indexOf('S\n')
  const head = marker < 0 ? stdout : stdout.slice(0, marker)
  const outbox: Array<{ to: string; content: string }> = []
  for (const line of head.split('\n')) {
    if (!line.startsWith('M ')) continue
    const text = Buffer.from(line.slice(2), 'base64').toString('utf8')
    const newline = text.indexOf('\n')
    if (newline > 0) outbox.push({ to: text.slice(0, newline), content: text.slice(newline + 1) })
  }
  return { outbox, stream: marker < 0 ? '' : stdout.slice(marker + 2) }
}
