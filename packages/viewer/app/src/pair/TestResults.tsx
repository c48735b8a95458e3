import type { PairDetail } from '../../../src/model.ts'

/** Each feature's hidden tests on the merged (or solo) code, failing features first, failing lines before the output. */
export function TestResults({ detail }: { detail: PairDetail }) {
  if (detail.tests.length === 0) {
    if (!detail.evalError) return <p class="empty">Not evaluated yet.</p>
    return <p class="eval-error">{`Evaluation error: ${detail.evalError}. The tests did not run: no feature passed or failed.`}</p>
  }
  return (
    <div class="tests">
      {detail.evalError && <p class="eval-error">{`Evaluation error: ${detail.evalError}`}</p>}
      {detail.tests.map((t) => (
        <div key={t.key} class={`feature-tests ${t.passed ? 'passed' : 'failed'}`} data-feature={t.featureId ?? ''}>
          <h3>
            <span class={`badge ${t.passed ? 'verdict-pass' : 'verdict-fail'}`}>{t.passed ? 'passed' : 'failed'}</span>
            {` feature ${t.featureId ?? '?'}: ${t.testsPassed} passed, ${t.testsFailed} failed${t.exitCode !== null ? ` (exit ${t.exitCode})` : ''}`}
          </h3>
          {t.failing.length > 0 && (
            <ul class="failing">
              {t.failing.map((line, i) => (
                <li key={i}>
                  <code>{line}</code>
                </li>
              ))}
            </ul>
          )}
          <details open={!t.passed}>
            <summary>Test output</summary>
            <pre class="test-output">{t.output}</pre>
          </details>
        </div>
      ))}
    </div>
  )
}
