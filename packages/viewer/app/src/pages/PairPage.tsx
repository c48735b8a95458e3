import { useState } from 'preact/hooks'
import type { PairDetail, PairSummary } from '../../../src/model.ts'
import { MergeBadge, VerdictBadge } from '../Badges.tsx'
import { loadPair, usePolled } from '../data.ts'
import { money, seconds, tokens } from '../format.ts'
import { AnalysisPanel } from '../pair/AnalysisPanel.tsx'
import { MergeView } from '../pair/MergeView.tsx'
import { Messages } from '../pair/Messages.tsx'
import { Patches } from '../pair/Patches.tsx'
import { PromptPanel } from '../pair/PromptPanel.tsx'
import { StepCards } from '../pair/StepCards.tsx'
import { SettingFiles } from '../pair/SettingFiles.tsx'
import { SettingSections } from '../overview/SettingSections.tsx'
import { TestResults } from '../pair/TestResults.tsx'
import { KeysHelp, usePairKeys } from '../pair/PairKeys.tsx'
import { type StepRef, Timeline } from '../pair/Timeline.tsx'
import { pairHref, pairsHref } from '../router.ts'

/** `pairs`: every pair shown (the overview's data), for the keys that go to the next or previous pair. */
export function PairPage({ id, pairs }: { id: string; pairs: readonly PairSummary[] | undefined }) {
  const polled = usePolled(() => loadPair(id), id)
  if (polled.data === undefined) return <p class={polled.error ? 'error' : 'loading'}>{polled.error ?? 'Loading the pair…'}</p>
  if (polled.data === null)
    return (
      <p class="error">
        No such pair in the runs shown. <a href="#/pairs">Back to the pairs</a>
      </p>
    )
  return <PairView key={id} detail={polled.data} pairs={pairs ?? []} />
}

/** One pair: its head, problems, failure analysis, its setting's sections, prompt, timeline, messages, steps, patches, merge, tests, files. */
function PairView({ detail, pairs }: { detail: PairDetail; pairs: readonly PairSummary[] }) {
  const [selected, setSelected] = useState<StepRef | null>(null)
  const [openedMessage, setOpenedMessage] = useState<number | null>(null)
  const keys = usePairKeys(detail, pairs, selected, setSelected)
  const s = detail.summary
  return (
    <div class="pair-page">
      <PairHead detail={detail} />
      {detail.problems.length > 0 && (
        <ul class="problems">
          {detail.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {detail.analysis && (
        <section class="analysis-section">
          <h2>Why it failed (cooperbench analyze)</h2>
          <AnalysisPanel analysis={detail.analysis} />
        </section>
      )}
      {detail.setting && <SettingSections sections={detail.setting.sections} />}
      <section>
        <h2>Prompt, task and raw trajectory</h2>
        <PromptPanel lanes={detail.lanes} pairId={s.id} />
      </section>
      <section>
        <h2>Timeline</h2>
        <Legend events={(detail.setting?.events.length ?? 0) > 0} phases={detail.phases.length > 0} />
        <Timeline detail={detail} selected={selected} onSelect={setSelected} onOpenMessage={setOpenedMessage} />
        <KeysHelp keys={keys} />
      </section>
      {s.setting !== 'solo' && (
        <section>
          <h2>Messages</h2>
          <Messages messages={detail.messages} start={detail.start} opened={openedMessage} />
        </section>
      )}
      <section>
        <h2>Steps</h2>
        <StepCards detail={detail} selected={selected} onSelect={setSelected} />
      </section>
      <section>
        <h2>Final patches</h2>
        <Patches lanes={detail.lanes} overlaps={detail.overlaps} sharedFiles={detail.sharedFiles} />
      </section>
      <section>
        <h2>Merge</h2>
        <MergeView detail={detail} />
      </section>
      <section>
        <h2>Tests</h2>
        <TestResults detail={detail} />
      </section>
      {detail.setting?.files && (
        <section class="files-section">
          <h2>{detail.setting.files.title}</h2>
          <SettingFiles files={detail.setting.files} />
        </section>
      )}
    </div>
  )
}

/** The pair's name and what it came to: run, setting, verdict, merge, steps, messages, cost, tokens, time, solo twins. */
function PairHead({ detail }: { detail: PairDetail }) {
  const s = detail.summary
  return (
    <header class="pair-head">
      <h2>{s.label}</h2>
      <div class="pair-meta">
        <a href={pairsHref({ run: s.run })}>{s.run}</a>
        <span>{s.setting}</span>
        <VerdictBadge pair={s} />
        {/* An evaluation error is said once: the verdict badge already says it. */}
        {s.merge && !(s.merge.outcome === 'eval_error' && s.verdict === 'error') && <MergeBadge outcome={s.merge.outcome} />}
        {s.git && <span class="badge git">--git</span>}
        <span>{`${s.steps} steps`}</span>
        {s.setting !== 'solo' && <span>{`${s.messages} messages`}</span>}
        <span>{s.costUnknown ? 'cost unknown' : money(s.cost)}</span>
        <span>{`${tokens(s.tokens)} tokens`}</span>
        <span>{seconds(s.durationSeconds ?? detail.end - detail.start)}</span>
        {detail.soloTwins.map((twin) => (
          <a key={twin.id} class="solo-twin" href={pairHref(twin.id)} title="the same pair in a solo run the deficit compares with this run">
            {`solo (${twin.run}) `}
            <VerdictBadge pair={twin} />
          </a>
        ))}
      </div>
    </header>
  )
}

function Legend({ events, phases }: { events: boolean; phases: boolean }) {
  const items: Array<[string, string] | false> = [
    ['command', 'command'],
    ['send', 'sends a message'],
    ['git', 'git push / fetch'],
    ['submit', 'submits'],
    ['format-error', 'unusable reply'],
    ['message-key', 'message: sent → read'],
    ['incoming-key', "message read (in the reader's lane)"],
    events && ['events-key', "the setting's events, coloured by kind"],
    phases && ['phase-key', "phase; arrow: started from an earlier agent's patch"],
    ['file-key', 'file rows: a step that edits the file (faint: reads it)'],
  ]
  return (
    <div class="legend">
      {items.map(
        (item) =>
          item && (
            <span key={item[0]} class={`legend-item ${item[0]}`}>
              <i />
              {item[1]}
            </span>
          ),
      )}
    </div>
  )
}
