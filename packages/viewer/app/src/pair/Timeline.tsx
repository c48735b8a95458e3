import { useEffect, useRef, useState } from 'preact/hooks'
import type { AgentLane, MessageEvent, PairDetail, PairSettingView, Step } from '../../../src/model.ts'
import { ownAgentText, truncate } from '../format.ts'
import { formatTick, ticks } from './time-ticks.ts'

const LABEL = 120
const LANE = 54
const GAP = 44
const AXIS = 28
const RIGHT = 16
const FILE_ROW = 20
const FILES_TOP = 14
/** The setting's row under the lanes (the team's task log): a mark per event. */
const EVENTS_ROW = 26
const ZOOMS = [1, 2, 4, 8, 16, 32]

export interface StepRef {
  lane: string
  index: number
}

/**
 * A lane per agent on one time axis (steps, messages as arrows from send to read, git pushes and fetches), then a row per patched file with the
 * steps that read or edited it. Zoom widens the axis, scrolling under the names (a sticky SVG); steps, arrows, file marks are keyboard buttons.
 */
export function Timeline(props: Omit<TimelinePlotProps, 'layout'>) {
  const { detail } = props
  const box = useRef<HTMLDivElement>(null)
  const shown = useShownWidth(box)
  const [zoom, setZoom] = useState(1)
  const layout = timelineLayout(detail, shown, zoom)
  return (
    <>
      <ZoomControls zoom={zoom} setZoom={setZoom} />
      <div class="timeline" ref={box}>
        <div class="timeline-canvas" style={{ width: `${layout.width}px`, height: `${layout.height}px` }}>
          <TimelinePlot {...props} layout={layout} />
          {/* The names stay in view while the zoomed plot scrolls under them (position: sticky). */}
          <TimelineLabels lanes={detail.lanes} layout={layout} setting={detail.summary.setting} />
        </div>
      </div>
    </>
  )
}

/** The layout of a timeline `shown` px wide, its axis `zoom` times as long: `x` (`plot` px wide), lane tops, the file rows below. */
function timelineLayout(detail: PairDetail, shown: number, zoom: number) {
  const { start, end, lanes } = detail
  const span = Math.max(end - start, 1e-3)
  const plot = (shown - LABEL - RIGHT) * zoom
  const width = LABEL + plot + RIGHT
  const x = (t: number) => LABEL + ((t - start) / span) * plot
  const laneTop = (i: number) => AXIS + i * (LANE + GAP)
  const laneIndex = new Map(lanes.map((l, i) => [l.id, i]))
  const lanesBottom = AXIS + lanes.length * LANE + (lanes.length - 1) * GAP
  const files = [...new Set(detail.fileTouches.map((t) => t.path))]
  const events = detail.setting?.events ?? []
  const eventsTop = events.length > 0 ? lanesBottom + FILES_TOP : null
  const filesTop = (eventsTop === null ? lanesBottom : eventsTop + EVENTS_ROW) + FILES_TOP
  const height = (files.length ? filesTop + files.length * FILE_ROW : filesTop - FILES_TOP) + 10
  return { span, plot, width, height, x, laneTop, laneIndex, files, filesTop, events, eventsTop }
}

type TimelineLayout = ReturnType<typeof timelineLayout>

interface TimelinePlotProps {
  detail: PairDetail
  layout: TimelineLayout
  selected: StepRef | null
  onSelect: (ref: StepRef) => void
  /** Enter or a click on a message arrow: its row in the Messages table. */
  onOpenMessage: (index: number) => void
}

function TimelinePlot(props: TimelinePlotProps) {
  const { detail, layout, onOpenMessage } = props
  const { start, end, lanes } = detail
  const { width, height, files } = layout
  return (
    <svg class="timeline-plot" width={width} height={height} aria-label="Timeline of the agents' steps and messages">
      <defs>
        <ArrowMarker />
      </defs>
      <TimeTicks layout={layout} start={start} />
      {lanes.map((lane, i) => (
        <Lane key={lane.id} lane={lane} top={layout.laneTop(i)} {...props} />
      ))}
      {detail.messages.map((message, i) => (
        <MessageArrow key={i} message={message} end={end} layout={layout} onOpen={() => onOpenMessage(i)} />
      ))}
      <PhaseBands detail={detail} layout={layout} />
      {layout.eventsTop !== null && <SettingEventsRow events={layout.events} top={layout.eventsTop} layout={layout} />}
      {files.map((path, row) => (
        <FileRow key={path} path={path} top={layout.filesTop + row * FILE_ROW} {...props} />
      ))}
    </svg>
  )
}

/** The arrow head of the message arrows (their `marker-end="url(#arrow)"`). */
function ArrowMarker() {
  return (
    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
      <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
    </marker>
  )
}

/** The time axis: a labelled line at each tick, across the lanes and the file rows. */
function TimeTicks({ layout, start }: { layout: TimelineLayout; start: number }) {
  const { span, plot, height, x } = layout
  return (
    <>
      {ticks(span, plot).map((t) => (
        <g key={t} class="time-tick" data-at={t}>
          <line x1={x(start + t)} x2={x(start + t)} y1={AXIS - 6} y2={height - 6} />
          <text x={x(start + t)} y={AXIS - 10} text-anchor="middle">
            {formatTick(t)}
          </text>
        </g>
      ))}
    </>
  )
}

/** The width the timeline has on the page (at least 400 px), followed as the page resizes. */
function useShownWidth(box: { current: HTMLDivElement | null }) {
  const [shown, setWidth] = useState(900)
  useEffect(() => {
    const element = box.current
    if (!element) return
    const observer = new ResizeObserver(() => setWidth(Math.max(element.clientWidth, 400)))
    observer.observe(element)
    return () => observer.disconnect()
  }, [])
  return shown
}

/** Zoom out, the zoom level, zoom in, and back to the whole run (`fit`) when zoomed. */
function ZoomControls({ zoom, setZoom }: { zoom: number; setZoom: (zoom: number) => void }) {
  return (
    <div class="zoom">
      <button
        type="button"
        class="zoom-out"
        aria-label="Zoom out"
        disabled={zoom === ZOOMS[0]}
        onClick={() => setZoom(ZOOMS[Math.max(ZOOMS.indexOf(zoom) - 1, 0)]!)}
      >
        −
      </button>
      <span class="zoom-level">{`${zoom}×`}</span>
      <button
        type="button"
        class="zoom-in"
        aria-label="Zoom in"
        disabled={zoom === ZOOMS.at(-1)}
        onClick={() => setZoom(ZOOMS[Math.min(ZOOMS.indexOf(zoom) + 1, ZOOMS.length - 1)]!)}
      >
        +
      </button>
      {zoom > 1 && (
        <button type="button" class="link zoom-fit" onClick={() => setZoom(1)}>
          fit
        </button>
      )}
    </div>
  )
}

/** The lane and file names, in an SVG of their own that stays at the left edge while the plot scrolls. */
function TimelineLabels({ lanes, layout, setting }: { lanes: AgentLane[]; layout: TimelineLayout; setting: string }) {
  const { files, height, laneTop, filesTop } = layout
  return (
    <svg class="timeline-labels" width={LABEL} height={height} aria-hidden="true">
      <rect class="labels-bg" x={0} y={0} width={LABEL - 4} height={height} />
      {lanes.map((lane, i) => (
        <LaneLabel key={lane.id} lane={lane} top={laneTop(i)} />
      ))}
      {layout.eventsTop !== null && (
        <text class="events-label" x={8} y={layout.eventsTop + 16}>
          {truncateStart(`${setting} events`, 17)}
        </text>
      )}
      {files.map((path, row) => (
        <text key={path} class="file-label" x={8} y={filesTop + row * FILE_ROW + 12}>
          <title>{path}</title>
          {truncateStart(path, 17)}
        </text>
      ))}
    </svg>
  )
}

/** The setting's events: a mark per event, coloured by its kind (in the order kinds first occur), in its agent's lane's colour band. */
function SettingEventsRow({ events, top, layout }: { events: PairSettingView['events']; top: number; layout: TimelineLayout }) {
  const { x, laneIndex, plot } = layout
  const kinds = [...new Set(events.map((e) => e.kind))]
  return (
    <g class="setting-events">
      <rect class="events-bg" x={LABEL} y={top} width={plot} height={EVENTS_ROW - 4} />
      {events.map((event, i) => {
        const at = x(event.ts)
        const y = top + (EVENTS_ROW - 4) / 2
        const lane = event.lane === null ? null : (laneIndex.get(event.lane) ?? null)
        const who = event.via ? `${event.via} for ${event.by}` : event.by
        const what = [`${who}: ${event.kind}`, event.label, event.detail].filter(Boolean).join(' · ')
        return (
          <g key={i} class={`setting-event kind-${kinds.indexOf(event.kind) % 5}${lane === null ? '' : ` lane-${lane}`}`} data-kind={event.kind}>
            <title>{what}</title>
            <path d={`M ${at} ${y - 7} L ${at + 6} ${y} L ${at} ${y + 7} L ${at - 6} ${y} z`} />
          </g>
        )
      })}
    </g>
  )
}

/** One patched file: a mark per step that named it, filled for an edit, in its agent's row of the file's band. */
function FileRow({ path, top, detail, layout, onSelect }: TimelinePlotProps & { path: string; top: number }) {
  const touches = detail.fileTouches.filter((t) => t.path === path)
  const { x, laneIndex: laneOrder, plot } = layout
  const rows = Math.max(laneOrder.size, 1)
  return (
    <g class="file-row" data-path={path}>
      <title>{path}</title>
      <rect class="file-bg" x={LABEL} y={top} width={plot} height={FILE_ROW - 4} />
      {touches.map((touch) => {
        const lane = laneOrder.get(touch.lane) ?? 0
        const h = (FILE_ROW - 6) / rows
        return (
          <rect
            key={`${touch.lane}-${touch.step}`}
            class={`touch lane-${lane}${touch.edit ? ' edit' : ' read'}`}
            data-lane={touch.lane}
            data-step={touch.step}
            x={x(touch.at) - 2}
            y={top + 1 + lane * h}
            width={4}
            height={Math.max(h - 1, 2)}
            {...activatable(`${touch.lane} step ${touch.step + 1} ${touch.edit ? 'edits' : 'reads'} ${path}`, () =>
              onSelect({ lane: touch.lane, index: touch.step }),
            )}
          >
            <title>{`${touch.lane} #${touch.step + 1} ${touch.edit ? 'edits' : 'reads'} ${path}`}</title>
          </rect>
        )
      })}
    </g>
  )
}

function truncateStart(text: string, chars: number) {
  return text.length <= chars ? text : `…${text.slice(text.length - chars + 1)}`
}

type LaneProps = TimelinePlotProps & { lane: AgentLane; top: number }

function Lane(props: LaneProps) {
  const { lane, top, detail, layout } = props
  const incoming = detail.messages.filter((m) => m.to === lane.id)
  const { x, plot } = layout
  return (
    <g class="lane" data-lane={lane.id}>
      <rect class="lane-bg" x={LABEL} y={top} width={plot} height={LANE} />
      <line class="lane-line" x1={LABEL} x2={LABEL + plot} y1={top + LANE / 2} y2={top + LANE / 2} />
      {lane.steps.map((step) => (
        <StepBlock key={step.index} {...props} step={step} />
      ))}
      {incoming.map((message, i) => (
        <IncomingMark key={i} message={message} x={x} top={top} />
      ))}
    </g>
  )
}

/** An agent's name beside its lane, with its part (else the feature(s) it implements) and how it ended. */
function LaneLabel({ lane, top }: { lane: AgentLane; top: number }) {
  const features = `feature${lane.featureIds.length > 1 ? 's' : ''} ${lane.featureIds.join(', ')}`
  return (
    <g class="lane-name" data-lane={lane.id}>
      <title>{`${lane.id}${lane.role ? ` (${lane.role})` : ''}${ownAgentText(lane)} implements ${features}; its trajectory is ${lane.trajectoryFile}`}</title>
      {/* A seat carried through phases has a lane per phase: its phase's band says which. */}
      <text class="lane-label" x={8} y={top + 17}>
        {lane.agentId}
      </text>
      {/* A seat's part (`planner`) says more than its features, which every seat of a phased pair may share. */}
      <text class={`lane-note ${lane.role ? 'lane-role' : 'lane-features'}`} x={8} y={top + 32}>
        {lane.role ?? features}
      </text>
      <text class="lane-note lane-status" x={8} y={top + 46}>
        {lane.status ?? 'running'}
      </text>
    </g>
  )
}

/** Focusable and opened with Enter or Space, like a button: for the timeline's SVG marks. */
function activatable(label: string, open: () => void) {
  return {
    tabindex: 0,
    role: 'button' as const,
    'aria-label': label,
    onClick: open,
    onKeyDown: (event: KeyboardEvent) => {
      if (event.key !== 'Enter' && event.key !== ' ') return
      event.preventDefault()
      open()
    },
  }
}

/** A message where it reached the receiver: a mark in the receiver's own lane, the text on hover. */
function IncomingMark({ message, x, top }: { message: MessageEvent; x: (t: number) => number; top: number }) {
  if (message.readAt === null) return null
  const at = x(message.readAt)
  const y = top + LANE - 10
  return (
    <g class="incoming" data-from={message.from}>
      <title>{`read from ${message.from}: ${message.text}`}</title>
      <rect x={at - 6} y={y - 4} width={12} height={8} rx={1} />
      <path d={`M ${at - 6} ${y - 4} L ${at} ${y + 1} L ${at + 6} ${y - 4}`} />
    </g>
  )
}

function StepBlock({ step, lane, top, layout: { x }, selected, onSelect }: LaneProps & { step: Step }) {
  const chosen = selected?.lane === lane.id && selected.index === step.index
  const left = x(step.start)
  const w = Math.max(x(step.end) - left, 5)
  const kind = stepKind(step)
  const command = step.commands[0] ?? (step.thought || '(no command)')
  return (
    <g
      class={`step ${kind}${chosen ? ' selected' : ''}${step.returncode !== null && step.returncode !== 0 ? ' nonzero' : ''}`}
      data-step={step.index}
      {...activatable(`${lane.id} step ${step.index + 1}: ${truncate(command.split('\n')[0]!, 80).text}`, () => onSelect({ lane: lane.id, index: step.index }))}
    >
      <title>{`#${step.index + 1} ${truncate(command, 200).text}\n${step.tokens.input} in / ${step.tokens.output} out tokens${step.cost ? ` · $${step.cost.toFixed(5)}` : ''}`}</title>
      <rect x={left} y={top + 12} width={w} height={LANE - 24} rx={2} />
      {w > 60 && (
        <text class="step-text" x={left + 4} y={top + LANE / 2 + 4}>
          {truncate(command.split('\n')[0]!, Math.floor((w - 8) / 7)).text}
        </text>
      )}
      {step.git.map((op, k) => (
        <g key={op} class={`git-mark git-${op}`}>
          <path d={`M ${left + 4 + k * 40} ${top + 10} l 5 -8 l 5 8 z`} />
          <text x={left + 12 + k * 40} y={top + 8}>
            {op}
          </text>
        </g>
      ))}
    </g>
  )
}

/** Phases (seats run one after another) as bands; a seat started from an earlier seat's patch gets a hand-off link from that phase's end to its own start. */
function PhaseBands({ detail, layout }: { detail: PairDetail; layout: TimelineLayout }) {
  const { x, laneTop, laneIndex } = layout
  const bottom = laneTop(detail.lanes.length - 1) + LANE
  const phaseOf = (lane: AgentLane | undefined) => detail.phases.find((p) => p.name === lane?.phase)
  return (
    <>
      {detail.phases.map((phase) => (
        <g key={phase.name} class="phase-band" data-phase={phase.name}>
          <title>{`phase ${phase.name}`}</title>
          <rect x={x(phase.start)} y={AXIS - 2} width={Math.max(x(phase.end) - x(phase.start), 2)} height={bottom - AXIS + 4} />
          <text x={x(phase.start) + 4} y={AXIS + 9}>
            {phase.name}
          </text>
        </g>
      ))}
      {detail.lanes.map((lane, i) => {
        // The seat it started from: that agent's lane before its own (a seat carried through phases has one per phase).
        const from = detail.lanes
          .slice(0, i)
          .reverse()
          .find((l) => l.agentId === lane.startedFrom)
        const [a, b] = [laneIndex.get(from?.id ?? ''), laneIndex.get(lane.id)]
        if (!from || a === undefined || b === undefined) return null
        const down = b > a
        const [x1, x2] = [x(phaseOf(from)?.end ?? detail.start), x(phaseOf(lane)?.start ?? detail.start)]
        const [y1, y2] = [laneTop(a) + (down ? LANE - 4 : 4), laneTop(b) + (down ? 4 : LANE - 4)]
        return (
          <g key={lane.id} class="hand-off" data-from={from.id} data-to={lane.id}>
            <title>{`${lane.id} started from ${from.id}'s patch`}</title>
            <path d={`M ${x1} ${y1} C ${x1} ${(y1 + y2) / 2}, ${x2} ${(y1 + y2) / 2}, ${x2} ${y2}`} marker-end="url(#arrow)" />
          </g>
        )
      })}
    </>
  )
}

/** A message as an arrow from its sender's lane when sent to its receiver's when read (the end of the run when never read). */
function MessageArrow({ message, end, layout, onOpen }: { message: MessageEvent; end: number; layout: TimelineLayout; onOpen: () => void }) {
  const { x, laneTop, laneIndex } = layout
  const from = laneIndex.get(message.from)
  const to = laneIndex.get(message.to)
  if (from === undefined || to === undefined || message.sentAt === null) return null
  const down = to > from
  const y1 = laneTop(from) + (down ? LANE - 6 : 6)
  const y2 = laneTop(to) + (down ? 6 : LANE - 6)
  const x1 = x(message.sentAt)
  const x2 = x(message.readAt ?? end)
  return (
    <g
      class={`message${message.readAt === null ? ' unread' : ''}`}
      data-from={message.from}
      data-to={message.to}
      {...activatable(`message ${message.from} to ${message.to}: ${truncate(message.text, 80).text}`, onOpen)}
    >
      <title>{`${message.from} → ${message.to}: ${message.text}${message.readAt === null ? ' (never read)' : ''}`}</title>
      <line class="hit" x1={x1} y1={y1} x2={x2} y2={y2} />
      <line x1={x1} y1={y1} x2={x2} y2={y2} marker-end="url(#arrow)" />
      <circle cx={x1} cy={y1} r={3.5} />
    </g>
  )
}

export function stepKind(step: Step): string {
  if (step.formatError) return 'format-error'
  if (step.submitted) return 'submit'
  if (step.sends.length) return 'send'
  if (step.git.length) return 'git'
  return 'command'
}
