import { Fragment } from 'preact'
import { useLayoutEffect, useRef, useState } from 'preact/hooks'
import type { PairDetail, PairSummary, Step } from '../../../src/model.ts'
import { pairHref } from '../router.ts'
import type { StepRef } from './Timeline.tsx'

/** The pair page's shortcuts, as the help shows them. */
const KEYS: Array<[string, string]> = [
  ['Tab / Shift+Tab', 'move through the step blocks, message arrows and file marks of the timeline'],
  ['Enter', 'open the focused mark: its step card, or the message in the Messages table'],
  ['j / k', 'select the next / previous step (all agents, in time order)'],
  ['f / Shift+F', 'select the next / previous failing step (a non-zero exit or an unusable reply)'],
  ['n / p', 'go to the next / previous pair of this run'],
  ['?', 'show or hide this list'],
]

export interface PairKeys {
  helpOpen: boolean
  toggleHelp: () => void
  /** What the last key could not do ("no failing step"), until the next key. */
  notice: string | null
}

/** The pair page's shortcuts (see KEYS); keys typed into a field or with Ctrl, Alt or Meta are left to the browser. */
export function usePairKeys(detail: PairDetail, pairs: readonly PairSummary[], selected: StepRef | null, select: (ref: StepRef) => void): PairKeys {
  const [helpOpen, setHelpOpen] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const state = useRef({ detail, pairs, selected })
  state.current = { detail, pairs, selected }
  // Attached on commit, not after paint, so a key pressed as the next pair shows (n, then p) is not lost between listeners.
  useLayoutEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return
      const { detail, pairs, selected } = state.current
      const steps = stepsInTimeOrder(detail)
      const at = selected ? steps.findIndex((s) => s.lane === selected.lane && s.index === selected.index) : -1
      const pick = (found: StepRef | undefined, missing: string) => {
        if (found) select(found)
        setNotice(found ? null : missing)
      }
      switch (event.key) {
        case 'j':
          pick(steps[at + 1], 'no step after this one')
          break
        case 'k':
          pick(at === -1 ? steps.at(-1) : steps[at - 1], 'no step before this one')
          break
        case 'f':
        case 'F': {
          const failing = (ref: StepRef & { step: Step }) => ref.step.formatError || (ref.step.returncode !== null && ref.step.returncode !== 0)
          const forward = event.key === 'f'
          const order = forward
            ? [...steps.slice(at + 1), ...steps.slice(0, at + 1)]
            : [...steps.slice(0, Math.max(at, 0)).reverse(), ...steps.slice(Math.max(at, 0)).reverse()]
          pick(order.find(failing), 'no failing step in this pair')
          break
        }
        case 'n':
        case 'p': {
          const run = runPairs(pairs, detail.summary)
          const other = run[run.findIndex((p) => p.id === detail.summary.id) + (event.key === 'n' ? 1 : -1)]
          if (other) location.hash = pairHref(other.id)
          setNotice(other ? null : `no ${event.key === 'n' ? 'next' : 'previous'} pair in ${detail.summary.run}`)
          break
        }
        case '?':
          setHelpOpen((open) => !open)
          break
        case 'Escape':
          setHelpOpen(false)
          return
        default:
          return
      }
      event.preventDefault()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [select])
  return { helpOpen, toggleHelp: () => setHelpOpen((open) => !open), notice }
}

/** One line of keys under the timeline, all of them with `?`. */
export function KeysHelp({ keys }: { keys: PairKeys }) {
  return (
    <>
      <p class="keys-help">
        {'Keys: '}
        <kbd>Tab</kbd> to a step, message or file mark, <kbd>Enter</kbd> opens it · <kbd>j</kbd>/<kbd>k</kbd> next/previous step · <kbd>f</kbd> next failing
        step · <kbd>n</kbd>/<kbd>p</kbd> next/previous pair ·{' '}
        <button type="button" class="link keys-toggle" aria-expanded={keys.helpOpen} onClick={keys.toggleHelp}>
          <kbd>?</kbd> all keys
        </button>
        {keys.notice && <span class="keys-notice">{` · ${keys.notice}`}</span>}
      </p>
      {keys.helpOpen && (
        <div class="keys-panel" role="dialog" aria-label="Keyboard shortcuts">
          <dl>
            {KEYS.map(([key, what]) => (
              <Fragment key={key}>
                <dt>
                  <kbd>{key}</kbd>
                </dt>
                <dd>{what}</dd>
              </Fragment>
            ))}
          </dl>
        </div>
      )}
    </>
  )
}

/** Every step of every agent by start time (lane order breaks ties). */
function stepsInTimeOrder(detail: PairDetail) {
  return detail.lanes
    .flatMap((lane, order) => lane.steps.map((step) => ({ lane: lane.id, index: step.index, step, order })))
    .sort((a, b) => a.step.start - b.step.start || a.order - b.order || a.index - b.index)
}

/** The pairs of this pair's run, in the pair list's order (setting, repo, task, features). */
function runPairs(pairs: readonly PairSummary[], pair: PairSummary) {
  return pairs
    .filter((p) => p.run === pair.run)
    .sort(
      (a, b) =>
        a.setting.localeCompare(b.setting) ||
        a.repo.localeCompare(b.repo) ||
        a.taskId - b.taskId ||
        a.features.join(',').localeCompare(b.features.join(','), undefined, { numeric: true }),
    )
}

function isTyping(target: EventTarget | null) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(?:INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
}
