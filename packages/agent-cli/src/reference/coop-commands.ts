import type { BusMessage } from '@cooperbench/spec'
import { pythonFloat, pythonJsonDumps, shellQuote } from '@cooperbench/spec-utils/host'
import { MAIL_DIR, QUEUE_FUNCTION } from '../teammate-commands.js'

/**
 * The messaging commands the reference's Claude Code prompt names, with its arguments and output, over the harness's file
 * mailbox rather than Redis: sends go on the run's bus, and `coop-recv` prints the reference's JSON list of entries
 * ({@link referenceInboxEntry}). `agents`: every agent of the pair, in the run's order.
 */
export function referenceCommandScripts(agentId: string, agents: readonly string[]): Record<string, string> {
  const others = agents
    .filter((a) => a !== agentId)
    .map(shellQuote)
    .join(' ')
  // A text from the last argument, else all of stdin, trailing newlines kept (the reference reads stdin whole).
  const text = (args: number) => `if [ $# -eq ${args} ]; then text="$${args}"; else text="$(cat; echo x)"; text="\${text%x}"; fi`
  return {
    'coop-send': `#!/bin/sh
# coop-send <recipient> [content]: the message goes to that agent (content from stdin when not given).
${QUEUE_FUNCTION}
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: coop-send <recipient> [content]" >&2; exit 2; }
${text(2)}
queue "$1" "$text" && echo "sent to $1" >&2
`,
    'coop-broadcast': `#!/bin/sh
# coop-broadcast [content]: the message goes to every other agent.
${QUEUE_FUNCTION}
[ $# -le 1 ] || { echo "usage: coop-broadcast [content]" >&2; exit 2; }
${text(1)}
for to in ${others}; do queue "$to" "$text" || exit 1; done
`,
    'coop-recv': `#!/bin/sh
# coop-recv: prints the messages received since the last call as a JSON list, oldest first.
files=$(ls "${MAIL_DIR}/inbox" 2>/dev/null | grep '\\.msg$' | sort)
[ -n "$files" ] || { echo '[]'; exit 0; }
printf '[\\n'; first=1
for f in $files; do
  [ "$first" = 1 ] || printf ',\\n'; first=0
  cat "${MAIL_DIR}/inbox/$f" && mv "${MAIL_DIR}/inbox/$f" "${MAIL_DIR}/read/$f"
done
printf '\\n]\\n'
`,
    'coop-peek': `#!/bin/sh
# coop-peek: the number of unread messages.
ls "${MAIL_DIR}/inbox" 2>/dev/null | grep -c '\\.msg$' || true
`,
    'coop-agents': `#!/bin/sh
# coop-agents: every agent id.
printf '%s\\n' ${agents.map(shellQuote).join(' ')}
`,
  }
}

/** `datetime.fromtimestamp(t).isoformat()`: this machine's local time, microseconds only when not zero. */
function pythonLocalIso(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  const base = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`
  const micro = d.getMilliseconds() * 1000
  return micro === 0 ? base : `${base}.${String(micro).padStart(6, '0')}`
}

/** One inbox file for `coop-recv`: the reference's entry as its `json.dumps(…, indent=2)` prints it in the list (ms where it has µs). */
export function referenceInboxEntry(message: BusMessage): string {
  const ms = Date.parse(message.timestamp)
  const fields: Array<[string, string]> = [
    ['from', pythonJsonDumps(message.from)],
    ['to', pythonJsonDumps(message.to)],
    ['content', pythonJsonDumps(message.content)],
    ['timestamp', pythonFloat(ms / 1000)],
    ['timestamp_iso', pythonJsonDumps(pythonLocalIso(ms))],
  ]
  return `  {\n${fields.map(([key, value]) => `    "${key}": ${value}`).join(',\n')}\n  }`
}
