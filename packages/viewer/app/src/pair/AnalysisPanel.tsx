import type { PairAnalysisView } from '../../../src/model.ts'
import { categoryName, percent } from '../format.ts'

/** The pair's failure category from analysis.json with the judge's reason and each quote, marked found or not found. */
export function AnalysisPanel({ analysis }: { analysis: PairAnalysisView }) {
  return (
    <div class="pair-analysis">
      {analysis.category ? (
        <p>
          <span class="badge category">{categoryName(analysis.category)}</span>
          {` ${analysis.reason ?? ''}`}
          <span class="note">{analysis.judge ? ` (judge ${analysis.judge.model}, ${analysis.judge.prompt_version}; a model's judgement)` : ''}</span>
        </p>
      ) : (
        <p class="note">
          {analysis.judgeError ? `The judge's answer was not usable: ${analysis.judgeError}` : 'Not judged (only failed pairs are, with analyze -m MODEL).'}
        </p>
      )}
      {analysis.evidence.length > 0 && (
        <ul class="evidence">
          {analysis.evidence.map((e, i) => (
            <li key={i} class={e.found ? 'found' : 'not-found'}>
              <span class="source">{e.source}</span>
              <q>{e.quote}</q>
              <span class="badge">{e.found ? 'found in the pair' : 'not found verbatim: do not trust'}</span>
            </li>
          ))}
        </ul>
      )}
      <p class="note">{`Steps on messaging: ${percent(analysis.messagingStepShare)}`}</p>
    </div>
  )
}
