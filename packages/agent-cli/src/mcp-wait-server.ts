/**
 * The `wait_for_message` tool of CLI agents (when `ctx.coordination.waitForMessages` asks for one): an MCP stdio
 * server as one POSIX `sh` script (with awk and sed), so it runs in any task image without Node.js or Python. Its
 * one tool waits on the file inbox the harness fills (`mail/inbox`, as `check_messages` reads), never on a bus of its own.
 */
import { shellQuote } from '@cooperbench/spec-utils/host'
import type { CliMcpServer } from './profile.js'
import { CLI_BIN_DIR, MAIL_DIR, takeMessagesFunction } from './teammate-commands.js'

/** The tool (upstream's MCP long-poll, PR #53) as the server offers it and our prompt describes it. */
export const WAIT_FOR_MESSAGE_TOOL = {
  name: 'wait_for_message',
  /** The wait when the call gives no `timeout_seconds`. */
  defaultSeconds: 60,
  /** The longest wait one call may ask for; a larger `timeout_seconds` is cut to it. */
  maxSeconds: 600,
} as const

/** The server's name in the CLIs' MCP configuration; Claude Code shows the tool as `mcp__cooperbench-team__wait_for_message`. */
export const MCP_SERVER_NAME = 'cooperbench-team'
/** The script's file name among the teammate commands. */
export const MCP_WAIT_COMMAND = 'coop-mcp-wait'

/** The server as a CLI registers it: the script, no arguments, calls as long as the longest wait plus a margin. */
export function mcpWaitServer(): CliMcpServer {
  return { name: MCP_SERVER_NAME, command: `${CLI_BIN_DIR}/${MCP_WAIT_COMMAND}`, args: [], callSeconds: WAIT_FOR_MESSAGE_TOOL.maxSeconds + 60 }
}

const { name: TOOL, defaultSeconds, maxSeconds } = WAIT_FOR_MESSAGE_TOOL

/** `tools/list`'s result. */
const TOOLS = JSON.stringify({
  tools: [
    {
      name: TOOL,
      description:
        'Waits until a message from a teammate arrives, then returns every message received since the last check ' +
        `(they count as read). Returns sooner when a message is already waiting; after timeout_seconds without one, says so.`,
      inputSchema: {
        type: 'object',
        properties: {
          timeout_seconds: { type: 'number', description: `How long to wait, in seconds (default ${defaultSeconds}, at most ${maxSeconds}).` },
        },
        additionalProperties: false,
      },
    },
  ],
})

/**
 * An awk program printing every scalar of the JSON on its input line as `path<TAB>raw` (`params.arguments.timeout_seconds\t30`; a top-level
 * member apart from nested ones of its name; strings quoted as sent, which hold no tab or newline), exiting 1 when the line is not JSON.
 */
const PARSE_JSON = String.raw`
function bad() { exit 1 }
function skip() { while (i <= n && index(" \t\r\n", substr(s, i, 1)) > 0) i++ }
function str(   start, c) {
  start = i; i++
  while (i <= n) {
    c = substr(s, i, 1)
    if (c == "\\") i += 2
    else if (c == "\"") { i++; return substr(s, start, i - start) }
    else i++
  }
  bad()
}
function value(path,   c, key, k, start) {
  skip(); c = substr(s, i, 1)
  if (c == "{") {
    i++; skip()
    if (substr(s, i, 1) == "}") { i++; return }
    for (;;) {
      skip()
      if (substr(s, i, 1) != "\"") bad()
      key = str(); key = substr(key, 2, length(key) - 2)
      skip(); if (substr(s, i, 1) != ":") bad()
      i++
      if (path == "") value(key); else value(path "." key)
      skip(); c = substr(s, i, 1); i++
      if (c == "}") return
      if (c != ",") bad()
    }
  }
  if (c == "[") {
    i++; skip()
    if (substr(s, i, 1) == "]") { i++; return }
    for (k = 0; ; k++) {
      value(path "." k)
      skip(); c = substr(s, i, 1); i++
      if (c == "]") return
      if (c != ",") bad()
    }
  }
  if (c == "\"") { print path "\t" str(); return }
  start = i
  while (i <= n && index(",:]} \t\r\n", substr(s, i, 1)) == 0) i++
  if (i == start) bad()
  print path "\t" substr(s, start, i - start)
}
{ s = $0; n = length(s); i = 1; value(""); skip(); if (i <= n) bad() }
`

/** An awk program printing its input as the inside of a JSON string (control characters escaped, lines joined by `\n`); LC_ALL=C: bytes. */
const ESCAPE_JSON = String.raw`
BEGIN {
  for (k = 1; k < 32; k++) esc[sprintf("%c", k)] = sprintf("\\u%04x", k)
  esc["\t"] = "\\t"; esc["\r"] = "\\r"; esc["\\"] = "\\\\"; esc["\""] = "\\\""
}
{
  out = ""; start = 1; n = length($0)
  for (i = 1; i <= n; i++) {
    c = substr($0, i, 1)
    if (c in esc) { out = out substr($0, start, i - start) esc[c]; start = i + 1 }
  }
  printf "%s%s%s", (NR > 1 ? "\\n" : ""), out, substr($0, start)
}
`

/** An awk program that prints an inbox entry of the reference's mode (`json.dumps(…, indent=2)` in a list) as `json.dumps` on one line. */
const COMPACT_JSON = String.raw`{ sub(/^[ 	]+/, ""); printf "%s%s", (NR > 1 && prev != "{" && $0 != "}" ? " " : ""), $0; prev = $0 }`

/** The upstream server's `initialize` result (`team_harness/mcp_server.py`): its protocol version, name and version. */
const REFERENCE_INITIALIZE = `{"protocolVersion":"2025-06-18","capabilities":{"tools":{"listChanged":false}},"serverInfo":{"name":"${MCP_SERVER_NAME}","version":"0.1.0"}}`

/**
 * The server script: `initialize` (the client's protocol version echoed), `ping`, `tools/list`, `tools/call`; other requests get -32601, a
 * non-JSON line -32700, notifications and responses nothing. A call takes every waiting message as `check_messages` does, looking once a
 * second until one comes or `timeout_seconds` pass; a call with a `progressToken` gets `notifications/progress` every `progressSeconds`
 * (default 30), which keeps clients that drop silent calls (Qwen Code after 300 s) waiting. `mailDir`: the mailbox (tests give another).
 *
 * With `reference` (upstream's declaration, `coordination.waitForMessages.declaration`) it is the reference's server: its `initialize`
 * result and declaration, and a call waiting up to `timeout_ms` (default 5,000, 100 to 30,000) for one message, returned as the raw JSON
 * entry, else `(no message arrived within the timeout)`; it waits on the harness's inbox, where upstream's waited on a key nobody wrote.
 */
export function mcpWaitServerScript(options: { mailDir?: string; progressSeconds?: number; reference?: Record<string, unknown> | null } = {}): string {
  const { mailDir = MAIL_DIR, progressSeconds = 30, reference = null } = options
  return `#!/bin/sh
# ${MCP_WAIT_COMMAND}: the MCP server (stdio, one JSON-RPC message a line) of the ${TOOL} tool.
export LC_ALL=C
${takeMessagesFunction(mailDir)}
PARSE=${shellQuote(PARSE_JSON)}
ESCAPE=${shellQuote(ESCAPE_JSON)}
TOOLS=${shellQuote(reference ? JSON.stringify({ tools: [reference] }) : TOOLS)}
COMPACT=${shellQuote(COMPACT_JSON)}
# field <path>: the raw JSON value at that path of the current message, '' when absent.
field() { printf '%s\\n' "$fields" | awk -F '\\t' -v k="$1" '$1 == k { print substr($0, length(k) + 2); exit }'; }
reply() { printf '{"jsonrpc":"2.0","id":%s,"result":%s}\\n' "$1" "$2"; }
fail() { printf '{"jsonrpc":"2.0","id":%s,"error":{"code":%s,"message":"%s"}}\\n' "$1" "$2" "$3"; }
text_result() { printf '{"content":[{"type":"text","text":"%s"}],"isError":false}' "$1"; }
# seconds <raw timeout_seconds>: whole seconds, ${defaultSeconds} when absent or not a number, at most ${maxSeconds}.
seconds() {
  t=$(printf '%s' "$1" | sed -n 's/^"\\{0,1\\}0*\\([0-9][0-9]*\\).*/\\1/p')
  case "$t" in '') t=${defaultSeconds} ;; ?????*) t=${maxSeconds} ;; esac
  [ "$t" -le ${maxSeconds} ] || t=${maxSeconds}
  echo "$t"
}
# wait_for_message <id> <seconds> <progress token, or ''>
wait_for_message() {
  start=$(date +%s); deadline=$((start + $2)); next=$((start + ${progressSeconds}))
  while :; do
    if text=$(take_messages); then
      reply "$1" "$(text_result "$(printf '%s' "$text" | awk "$ESCAPE")")"
      return
    fi
    now=$(date +%s)
    # Progress before the deadline check: a wait as long as the interval says so at least once, however slow the loop.
    if [ -n "$3" ] && [ "$now" -ge "$next" ]; then
      printf '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":%s,"progress":%s,"total":%s,"message":"waiting for a message"}}\n' "$3" $((now - start)) "$2"
      next=$((now + ${progressSeconds}))
    fi
    [ "$now" -lt "$deadline" ] || break
    sleep 1
  done
  reply "$1" "$(text_result "No new messages within $2 s.")"
}
# wait_one <id> <raw timeout_ms>: the reference's tool: one message, raw, or its timeout text.
wait_one() {
  ms=$(printf '%s' "$2" | sed -n 's/^"\\{0,1\\}\\([0-9][0-9]*\\).*/\\1/p'); ms=\${ms:-5000}
  [ "$ms" -ge 100 ] || ms=100; [ "$ms" -le 30000 ] || ms=30000
  n=$(( (ms + 199) / 200 ))
  while :; do
    f=$(ls "${mailDir}/inbox" 2>/dev/null | grep '\\.msg$' | sort | head -n 1)
    if [ -n "$f" ] && mv "${mailDir}/inbox/$f" "${mailDir}/read/$f" 2>/dev/null; then
      reply "$1" "$(text_result "$(awk "$COMPACT" "${mailDir}/read/$f" | awk "$ESCAPE")")"; return
    fi
    [ "$n" -gt 0 ] || break
    n=$((n - 1)); sleep 0.2 2>/dev/null || sleep 1
  done
  reply "$1" "$(text_result '(no message arrived within the timeout)')"
}
while IFS= read -r line || [ -n "$line" ]; do
  [ -n "$line" ] || continue
  if ! fields=$(printf '%s\\n' "$line" | awk "$PARSE"); then fail null -32700 'Parse error'; line=; continue; fi
  line=
  id=$(field id); method=$(field method)
  # Notifications (no id) and responses (no method) are not answered.
  [ -n "$id" ] && [ "$id" != null ] && [ -n "$method" ] || continue
  case "$method" in
    '"initialize"')${
      reference
        ? `
      reply "$id" ${shellQuote(REFERENCE_INITIALIZE)} ;;`
        : `
      version=$(field params.protocolVersion)
      [ -n "$version" ] || version='"2025-06-18"'
      reply "$id" "{\\"protocolVersion\\":$version,\\"capabilities\\":{\\"tools\\":{\\"listChanged\\":false}},\\"serverInfo\\":{\\"name\\":\\"${MCP_SERVER_NAME}\\",\\"version\\":\\"0.1.0\\"}}" ;;`
    }
    '"ping"') reply "$id" '{}' ;;
    '"tools/list"') reply "$id" "$TOOLS" ;;
    '"tools/call"')
      if [ "$(field params.name)" != '"${TOOL}"' ]; then fail "$id" -32602 'Unknown tool'
      ${reference ? 'else wait_one "$id" "$(field params.arguments.timeout_ms)"' : 'else wait_for_message "$id" "$(seconds "$(field params.arguments.timeout_seconds)")" "$(field params._meta.progressToken)"'}; fi ;;
    *) fail "$id" -32601 'Method not found' ;;
  esac
done
`
}
