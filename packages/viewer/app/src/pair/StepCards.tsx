import { useEffect, useRef, useState } from 'preact/hooks'
import type { AgentLane, Step } from '../../../src/model.ts'
import { money, seconds, truncate } from '../format.ts'
import { type StepRef, stepKind } from './Timeline.tsx'

const COMMAND_CHARS = 400
const OUTPUT_CHARS = 600

/** Every step of every agent, one column per agent: command, output (truncated; click to expand), tokens and cost. */
export function StepCards({
  lanes,
  start,
  selected,
  onSelect,
}: {
  lanes: AgentLane[]
  start: number
  selected: StepRef | null
  onSelect: (ref: StepRef) => void
}) {
  return (
    <div class="step-columns" style={{ gridTemplateColumns: `repeat(${lanes.length}, minmax(0, 1fr))` }}>
      {lanes.map((lane) => (
        <div class="step-column" key={lane.id} data-lane={lane.id}>
          <h3>{`${lane.id} (${lane.featureIds.map((f) => `f${f}`).join(', ')})`}</h3>
          {lane.steps.length === 0 && <p class="empty">No steps recorded yet.</p>}
          {lane.steps.map((step) => (
            <StepCard
              key={step.index}
              step={step}
              start={start}
              selected={selected?.lane === lane.id && selected.index === step.index}
              onSelect={() => onSelect({ lane: lane.id, index: step.index })}
            />
          ))}
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
  const command = step.commands.join('\n\n') || step.thought || '(no command)'
  const shownCommand = open ? { text: command, cut: false } : truncate(command, COMMAND_CHARS)
  const shownOutput = open ? { text: step.output, cut: false } : truncate(step.output, OUTPUT_CHARS)
  const expandable = command.length > COMMAND_CHARS || step.output.length > OUTPUT_CHARS
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
      <pre class="step-command">{shownCommand.text}</pre>
      {step.output && (
        <pre
          class={`step-output${open ? ' open' : ''}`}
          onClick={() => setOpen(!open)}
          title={expandable ? (open ? 'Click to shorten' : 'Click to show all') : undefined}
        >
          {shownOutput.text}
        </pre>
      )}
      {expandable && (
        <button type="button" class="link expand" onClick={() => setOpen(!open)}>
          {open ? 'show less' : `show all (${step.output.length} characters of output)`}
        </button>
      )}
    </div>
  )
}
