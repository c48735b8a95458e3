import { errorMessage, type Mailbox } from '@cooperbench/spec'

/**
 * `send_message` is not a program in the sandbox: the harness finds its invocations in a bash command before running it
 * (docs/reference-compatibility.md#messaging), sends them through the bus and runs the rest. Recognised forms, at the start
 * of a command (of the text or a line, or after `;`, `&&`, `||`, `|`, `&`, `(`, `{`), `--wait` before or after the recipient:
 *
 *     send_message [--wait] agent2 [--wait] <<'TAG'      (TAG bare, 'TAG' or "TAG"; text after
 *     any text, any characters                             the TAG on its line stays a command)
 *     TAG
 *
 *     send_message [--wait] agent2 [--wait] "body"       (only when the command has no heredoc
 *     send_message [--wait] agent2 [--wait] 'body'        send; \" \\ \$ \` unescaped as bash does)
 *
 * Decided: `echo send_message …` or `grep send_message` are not intercepted (not at a command position); one inside a quoted
 * string that follows `;` or `&&` still is: this is a pattern match, not a shell parser.
 */
export interface SendMessageCall {
  recipient: string
  body: string
  wait: boolean
  /** Made with the reference's `send_message` tool, not found in a command. */
  viaTool?: boolean
}

const AT_COMMAND_START = String.raw`(?<=(?:^|[\n;&|({])[ \t]*)`
const HEAD = String.raw`send_message[ \t]+(?:(--wait)[ \t]+)?([A-Za-z0-9_][\w.-]*)(?:[ \t]+(--wait))?`
// Capture groups: 1,3 --wait; 2 recipient; 4 quote; 5 TAG; 6 rest of the TAG line; 7 body.
const HEREDOC = new RegExp(String.raw`${AT_COMMAND_START}${HEAD}[ \t]*<<[ \t]*(['"]?)(\w+)\4([^\n]*)\n(?:([\s\S]*?)\n)?\5[ \t]*(?=\n|$)`, 'g')
// Capture groups: 1,3 --wait; 2 recipient; 4 double-quoted body (escapes allowed); 5 single-quoted body.
const QUOTED = new RegExp(String.raw`${AT_COMMAND_START}${HEAD}[ \t]+(?:"((?:[^"\\]|\\[\s\S])*)"|'([^']*)')`, 'g')
const ANY_SEND = new RegExp(String.raw`${AT_COMMAND_START}send_message\b`)

/** Where a send was cut out; never appears in a real command. */
const CUT = '\u0000'
const OPERATOR = String.raw`&&|\|\||;`

/** The sends in `command`; `remaining`: the rest, dangling `&&`/`||`/`;` removed; `unparsed`: a `send_message` in no known form. */
export function parseSendMessages(command: string) {
  const sends: SendMessageCall[] = []
  let remaining = command.replace(HEREDOC, (_m, w1, recipient: string, w2, _q, _tag, restOfLine: string, body: string | undefined) => {
    sends.push({ recipient, body: body ?? '', wait: Boolean(w1 || w2) })
    return CUT + restOfLine
  })
  if (sends.length === 0) {
    remaining = command.replace(QUOTED, (_m, w1, recipient: string, w2, double: string | undefined, single: string | undefined) => {
      sends.push({ recipient, body: double !== undefined ? unescapeDoubleQuoted(double) : (single ?? ''), wait: Boolean(w1 || w2) })
      return CUT
    })
  }
  return { sends, remaining: tidy(remaining), unparsed: ANY_SEND.test(remaining) }
}

/** Bash's escapes inside double quotes; any other backslash stays. */
function unescapeDoubleQuoted(text: string): string {
  return text.replace(/\\\n/g, '').replace(/\\([\\"$`])/g, '$1')
}

/**
 * Removes the cut marks with the operators that joined them to the rest. A send counts as a command that succeeded: `a && SEND
 * && b` → `a && b`; `SEND; b` → `b`; with operators on both sides, `;` wins, else the one after the send (`a && SEND || b` → `a || b`).
 */
function tidy(text: string): string {
  const chain = new RegExp(String.raw`${CUT}(?:[ \t]*(?:${OPERATOR})[ \t]*${CUT})+`, 'g')
  const cut = new RegExp(String.raw`[ \t]*(${OPERATOR})?[ \t]*${CUT}[ \t]*(${OPERATOR})?[ \t]*`, 'g')
  return text
    .replace(chain, CUT)
    .replace(cut, (_m, before: string | undefined, after: string | undefined) => {
      if (before && after) return before === ';' || after === ';' ? '; ' : ` ${after} `
      return ''
    })
    .trim()
}

/**
 * Sends each message in order; `--wait` then waits up to `replyTimeoutMs` for that recipient's messages (others stay
 * queued). Problems are observation lines, not exceptions (but an abort); `failed`: some send did not reach its recipient.
 */
export async function deliverSends(
  mailbox: Mailbox,
  sends: SendMessageCall[],
  options: { replyTimeoutMs: number; signal: AbortSignal },
): Promise<{ lines: string[]; failed: boolean }> {
  const lines: string[] = []
  let failed = false
  for (const { recipient, body, wait } of sends) {
    if (recipient === mailbox.agentId || !mailbox.peers.includes(recipient)) {
      const known = mailbox.peers.join(', ') || 'nobody'
      lines.push(`Message not sent: "${recipient}" is not a teammate (you can message: ${known}).`)
      failed = true
      continue
    }
    let finished: boolean
    try {
      finished = (await mailbox.send(recipient, body)).recipientFinished
    } catch (error) {
      options.signal.throwIfAborted()
      lines.push(`Message to ${recipient} not sent: ${errorMessage(error)}`)
      failed = true
      continue
    }
    lines.push(`Message sent to ${recipient}`)
    if (finished) {
      lines.push(`${recipient} has already finished and will not read this message.`)
      continue
    }
    if (!wait) continue
    const replies = await mailbox.waitForMessages(recipient, options.replyTimeoutMs, options.signal)
    options.signal.throwIfAborted()
    for (const reply of replies) lines.push(`[Reply from ${recipient}]: ${reply.content}`)
    if (replies.length === 0) lines.push(`No reply from ${recipient} within ${options.replyTimeoutMs / 1000} s.`)
  }
  return { lines, failed }
}
