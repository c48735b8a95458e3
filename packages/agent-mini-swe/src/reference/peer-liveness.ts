import type { Mailbox } from '@cooperbench/spec'
import type { SendMessageCall } from '../agent/send-message.js'

/**
 * Upstream 0.0.22's messaging (CHANGELOG 0.0.22; agents/default.py `_handle_send_message`, `_peer_gone_result`,
 * `_announce_departed_peers`, `_peer_work_pointer`; connectors/messaging.py `send`, `send_and_wait`; read at 04846de).
 * A peer that finished (the harness's `mailbox.finish()` at the end of its seat, upstream's `mark_exited`) is not sent to,
 * ends a `--wait`, and is announced once. The model reads these texts: they stay upstream's exactly, its remote named
 * `team` at 0.0.22, `origin` from 0.0.23.
 */

/**
 * Where a departed peer's work is (`_peer_work_pointer`): its branch on the remote only when the peer published (recorded
 * at its exit through the bus's `markPublished`: 0.0.22, its patch.txt pushed there; 0.0.23 on, a pull request opened).
 * `remote`: `team` at 0.0.22, `origin` from 0.0.23 (its texts at 0.0.22 read as 04846de's with that name).
 */
export async function peerWorkPointer(mailbox: Mailbox, peer: string, remote: string): Promise<string> {
  const published = (await mailbox.hasPublished?.(peer).catch(() => false)) ?? false
  if (published) {
    return (
      `Their submitted patch is on branch ${remote}/${peer}. If your changes overlap theirs, inspect and reconcile before you submit:\n` +
      `    git fetch ${remote} && git diff HEAD...${remote}/${peer}`
    )
  }
  return (
    `Their work could NOT be published to ${remote}/${peer}, so that branch does not reflect what they submitted — do not rely on it. ` +
    'Proceed on your own judgement and keep your changes as self-contained as you can.'
  )
}

/** The answer to a send to a peer that has finished (nothing was sent). */
export function peerGone(recipient: string, pointer: string): string {
  return (
    `${recipient} has already completed their work and exited. Your message was NOT delivered and no reply will come — ` +
    `do not send further messages to them.\n\n${pointer}`
  )
}

/** The notice a peer's departure gets, once, before the next step. */
export function departureNotice(peer: string, pointer: string): string {
  return `[${peer} has completed their work and exited] They will not read or answer further messages.\n\n${pointer}`
}

/** Upstream's `send_and_wait` timeout (`_handle_send_message` passes 60). */
export const SEND_AND_WAIT_MS = 60_000
/** Upstream's `send_and_wait` polls once a second. */
const WAIT_SLICE_MS = 1000

const finished = async (mailbox: Mailbox, peer: string) => (mailbox.hasFinished ? mailbox.hasFinished(peer) : false)

/**
 * Delivers sends as upstream 0.0.22 does. A send to a finished peer is not made and answered with `peerGone`; its return code is
 * 1 only for the `send_message` tool (upstream's `execute_actions` answers sends in a bash command with 0, or the rest's code).
 * `--wait` waits up to 60 s for the recipient's reply and ends early when it finishes. A recipient that is no teammate
 * still reads "sent" (upstream queues into any inbox): `unknown` is told of it.
 */
export async function deliverWithLiveness(
  mailbox: Mailbox,
  sends: SendMessageCall[],
  signal: AbortSignal,
  unknown: (recipient: string) => void,
  { blocking, remote, waitMs = SEND_AND_WAIT_MS }: { blocking: boolean; remote: string; waitMs?: number },
): Promise<{ output: string; returncode: number }> {
  const outputs: string[] = []
  let gone = false
  for (const { recipient, body, wait } of sends) {
    const teammate = recipient !== mailbox.agentId && mailbox.peers.includes(recipient)
    if (!teammate) {
      unknown(recipient)
      outputs.push(`Message sent to ${recipient}`)
      continue
    }
    // Upstream checks liveness before queueing; a bus without `hasFinished` tells it by the send (the message then recorded).
    if ((await finished(mailbox, recipient)) || (await mailbox.send(recipient, body)).recipientFinished) {
      outputs.push(peerGone(recipient, await peerWorkPointer(mailbox, recipient, remote)))
      gone = true
      continue
    }
    if (!wait) {
      outputs.push(`Message sent to ${recipient}`)
      continue
    }
    let output = `Message sent to ${recipient}`
    const replies = await waitForReplyOrDeparture(mailbox, recipient, waitMs, signal, blocking)
    if (replies.length > 0) for (const reply of replies) output += `\n\n[Reply from ${reply.from}]: ${reply.content}`
    else if (await finished(mailbox, recipient))
      output += `\n\nNo reply: ${recipient} has since completed their work and exited.\n${await peerWorkPointer(mailbox, recipient, remote)}`
    outputs.push(output)
  }
  const viaTool = sends.length === 1 && sends[0]!.viaTool === true
  return { output: outputs.join('\n'), returncode: viaTool && gone ? 1 : 0 }
}

/**
 * The recipient's messages, as soon as one comes; [] when it finished first or `waitMs` passed. `blocking` (0.0.27 on): the wait is
 * published while it lasts (expiring with it), for the recipient's BLOCKED rendering.
 */
async function waitForReplyOrDeparture(mailbox: Mailbox, recipient: string, waitMs: number, signal: AbortSignal, blocking: boolean) {
  const deadline = Date.now() + waitMs
  if (blocking) await mailbox.markAwaiting?.(recipient, waitMs).catch(() => {})
  try {
    for (;;) {
      const remaining = deadline - Date.now()
      if (remaining <= 0) return []
      const replies = await mailbox.waitForMessages(recipient, Math.min(WAIT_SLICE_MS, remaining), signal)
      signal.throwIfAborted()
      if (replies.length > 0) return replies
      if (await finished(mailbox, recipient)) return []
    }
  } finally {
    if (blocking) await mailbox.markAwaiting?.(recipient, 0).catch(() => {})
  }
}

/**
 * A message as upstream 0.0.27 renders it (agents/default.py `step`, 04846de): BLOCKED when its sender waits on this agent's reply
 * at the time it is read.
 */
export async function renderWithBlocked(mailbox: Mailbox, message: { from: string; content: string }): Promise<string> {
  const blocked = (await mailbox.isAwaitedBy?.(message.from).catch(() => false)) ?? false
  const marker = blocked
    ? ` — ${message.from} is BLOCKED waiting for your reply and cannot continue until you answer. Reply with send_message before your next command.`
    : ''
  return `[Message from ${message.from}${marker}]: ${message.content}`
}

/** Peers that finished since the last call, each once, in the team's order: their `departureNotice`s. */
export function departureAnnouncer(remote: string): (mailbox: Mailbox) => Promise<string[]> {
  const announced = new Set<string>()
  return async (mailbox) => {
    const notices: string[] = []
    for (const peer of mailbox.peers) {
      if (announced.has(peer) || !(await finished(mailbox, peer))) continue
      announced.add(peer)
      notices.push(departureNotice(peer, await peerWorkPointer(mailbox, peer, remote)))
    }
    return notices
  }
}
