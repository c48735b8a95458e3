import { useEffect, useRef } from 'preact/hooks'
import type { MessageEvent } from '../../../src/model.ts'
import { seconds } from '../format.ts'
import { TableHead } from '../TableHead.tsx'

/** Every message with when it was sent and read; `opened` (from the timeline) is marked and scrolled to. */
export function Messages({ messages, start, opened }: { messages: MessageEvent[]; start: number; opened: number | null }) {
  const table = useRef<HTMLTableElement>(null)
  useEffect(() => {
    if (opened === null) return
    table.current?.querySelector(`tr[data-index="${opened}"]`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
  }, [opened])
  if (messages.length === 0) return <p class="empty">No messages.</p>
  const at = (t: number | null) => (t === null ? '–' : `+${seconds(t - start)}`)
  return (
    <table class="messages" ref={table}>
      <colgroup>
        <col class="who" />
        <col class="when" />
        <col class="when" />
        <col />
      </colgroup>
      <TableHead columns={['from → to', 'sent', 'read', 'message']} />
      <tbody>
        {messages.map((m, i) => (
          <tr key={i} data-index={i} class={`message-row${m.readAt === null ? ' unread' : ''}${opened === i ? ' opened' : ''}`}>
            <td title={`${m.from} → ${m.to}`}>{`${m.from} → ${m.to}`}</td>
            <td>{at(m.sentAt)}</td>
            <td>{m.readAt === null ? 'not read' : at(m.readAt)}</td>
            <td class="message-text">{m.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
