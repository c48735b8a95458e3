import { useEffect, useRef, useState } from 'preact/hooks'
import type { AgentLane, MessageEvent, PairDetail, Step } from '../../../src/model.ts'
import { money, seconds, truncate } from '../format.ts'
import { type StepRef, stepKind } from './Timeline.tsx'

const THOUGHT_CHARS = 400
const COMMAND_CHARS = 400
const OUTPUT_CHARS = 600

/** A column per agent of its steps: text, commands, output (truncated; click to expand), tokens, cost, and the messages it read. */
export function StepCards({ detail, selected, onSelect }: { detail: PairDetail; selected: StepRef | null; onSelect: (ref: StepRef) => void }) {
  const { lanes, messages, start } = detail
  return (
    <div class="step-columns" style={{ gridTemplateColumns: `repeat(${lanes.length}, minmax(0, 1fr))` }}>
      {lanes.map((lane) => (
        <div class="step-column" key={lane.id} data-lane={lane.id}>
          <h3>{`${lane.id} (feature${lane.featureIds.length > 1 ? 's' : ''} ${lane.featureIds.join(', ')})`}</h3>
          {lane.steps.length === 0 && <p class="empty">No steps recorded yet.</p>}
          {interleaveIncoming(lane, messages).map((item) =>
            'step' in item ? (
              <StepCard
                key={item.step.index}
                step={item.step}
                start={start}
                selected={selected?.lane === lane.id && selected.index === item.step.index}
                onSelect={() => onSelect({ lane: lane.id, index: item.step.index })}
              />
            ) : (
              <IncomingMessage key={`in-${item.order}`} message={item.message} start={start} />
            ),
          )}
          {lane.exit !== null && (
            <div
              class={`exit-note status-${lane.status ?? 'unknown'}`}
            >{`exit: ${lane.status ?? ''}${lane.exit ? ` — ${truncate(lane.exit, 300).text}` : ''}`}</div>
          )}
          {lane.error && <div class="exit-note status-Error">{lane.error}</div>}
        </div>
      ))}
    </div>
  )
}

function StepCard({ step, start, selected, onSelect }: { step: Step; start: number; selected: boolean; onSelect: () => void }) {
  const [open, setOpen] = useState(false)
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (selected) {
      setOpen(true)
      ref.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
    }
  }, [selected])
  const command = step.commands.join('\n\n')
  const shown = (text: string, chars: number) => (open ? text : truncate(text, chars).text)
  const expandable = step.thought.length > THOUGHT_CHARS || command.length > COMMAND_CHARS || step.output.length > OUTPUT_CHARS
  return (
    <div ref={ref} class={`step-card ${stepKind(step)}${selected ? ' selected' : ''}`} data-step={step.index}>
      <div class="step-head" onClick={onSelect}>
        <span class="step-number">{`#${step.index + 1}`}</span>
        <span class="step-time">{`+${seconds(step.start - start)}${step.timed ? '' : ' (estimated)'}`}</span>
        {step.git.map((op) => (
          <span key={op} class={`badge git-${op}`}>{`git ${op}`}</span>
        ))}
        {step.sends.map((to, i) => (
          <span key={i} class="badge send">{`message → ${to}`}</span>
        ))}
        {step.submitted && <span class="badge submit">submitted</span>}
        {step.returncode !== null && step.returncode !== 0 && <span class="badge nonzero">{`exit ${step.returncode}`}</span>}
        <span class="step-usage">{`${step.tokens.input} in / ${step.tokens.output} out · ${step.costUnknown ? 'cost unknown' : money(step.cost)}`}</span>
      </div>
      {step.thought && <pre class="step-thought">{shown(step.thought, THOUGHT_CHARS)}</pre>}
      {command ? <pre class="step-command">{shown(command, COMMAND_CHARS)}</pre> : <p class="no-command">(no command)</p>}
      {step.output && (
        <pre
          class={`step-output${open ? ' open' : ''}`}
          onClick={() => setOpen(!open)}
          title={expandable ? (open ? 'Click to shorten' : 'Click to show all') : undefined}
        >
          {shown(step.output, OUTPUT_CHARS)}
        </pre>
      )}
      {expandable && (
        <button type="button" class="link expand" onClick={() => setOpen(!open)}>
          {open ? 'show less' : `show all (${step.thought.length + command.length + step.output.length} characters)`}
        </button>
      )}
    </div>
  )
}

/** A teammate's message where it reached this agent: after the step during which it arrived. */
function IncomingMessage({ message, start }: { message: MessageEvent; start: number }) {
  return (
    <div class="incoming-message" data-from={message.from}>
      <div class="step-head">
        <span class="badge send">{`message from ${message.from}`}</span>
        <span class="step-time">{`read +${seconds(message.readAt! - start)}`}</span>
      </div>
      <pre class="incoming-text">{message.text}</pre>
    </div>
  )
}

type ColumnItem = { step: Step } | { message: MessageEvent; order: number }

/** The lane's steps with the messages it read placed before the first step that started after the reading. */
function interleaveIncoming(lane: AgentLane, messages: MessageEvent[]): ColumnItem[] {
  const incoming = messages
    .filter((m) => m.to === lane.id && m.readAt !== null)
    .map((message, order) => ({ message, order }))
    .sort((a, b) => a.message.readAt! - b.message.readAt!)
  const items: ColumnItem[] = []
  let next = 0
  for (const step of lane.steps) {
    while (next < incoming.length && incoming[next]!.message.readAt! <= step.start) items.push(incoming[next++]!)
    items.push({ step })
  }
  items.push(...incoming.slice(next))
  return items
}
