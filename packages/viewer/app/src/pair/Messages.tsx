import type { MessageEvent } from '../../../src/model.ts'
import { seconds } from '../format.ts'

export function Messages({ messages, start }: { messages: MessageEvent[]; start: number }) {
  if (messages.length === 0) return <p class="empty">No messages.</p>
  const at = (t: number | null) => (t === null ? '–' : `+${seconds(t - start)}`)
  return (
    <table class="messages">
      <thead>
        <tr>
          <th>from → to</th>
          <th>sent</th>
          <th>read</th>
          <th>message</th>
        </tr>
      </thead>
      <tbody>
        {messages.map((m, i) => (
          <tr key={i} class={`message-row${m.readAt === null ? ' unread' : ''}`}>
            <td>{`${m.from} → ${m.to}`}</td>
            <td>{at(m.sentAt)}</td>
            <td>{m.readAt === null ? 'not read' : at(m.readAt)}</td>
            <td class="message-text">{m.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
