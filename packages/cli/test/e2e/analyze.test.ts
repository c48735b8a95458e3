import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { freePort } from '@cooperbench/testkit'
import { type ScriptedLlmServer, startScriptedLlmServer, textTurn } from '@cooperbench/testkit/llm-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bwrapUnavailable, describeResult, makeWorkdir, readJson, runCli, type Workdir } from './helpers.js'
import { oracleTask12Run } from './oracle-task12-runs.js'

/**
 * `cooperbench analyze` on a real coop run (the oracle agent on textkit task 12's six pairs under
 * cooperbench-0.0.14, where 1,4 fails), with the judge on the real model layer talking to a
 * scripted model server.
 */
/** A pair's result.json and eval.json as text, for a failure message. */
async function pairFiles(w: Workdir, run: string, repo: string, task: number, features: number[]): Promise<string> {
  const folder = join(w.logs, run, 'coop', repo, String(task), `f${features.join('_f')}`)
  const read = async (name: string) => readFile(join(folder, name), 'utf8').catch((error: Error) => error.message)
  return `result.json ${await read('result.json')}\neval.json ${await read('eval.json')}`
}

describe.skipIf(bwrapUnavailable !== null && !process.env.CI)('cooperbench analyze', () => {
  let w: Workdir
  let llm: ScriptedLlmServer
  /** What the scripted judge answers next: the arguments of its record_judgement call. */
  let answer: Record<string, unknown>

  beforeAll(async () => {
    w = await makeWorkdir('analyze', 'file')
    // The shared run, copied: analyze writes analysis.json into it.
    await oracleTask12Run('coop', w.logs)
    llm = await startScriptedLlmServer({ script: () => ({ toolCalls: [{ name: 'record_judgement', arguments: answer }] }) })
  }, 300_000)

  afterAll(async () => {
    await llm?.close()
  })

  const judge = (...extra: string[]) =>
    runCli(
      ['analyze', '-n', 'coop', '--json', '-m', 'openai/judge-model', '--model-base-url', llm.url, ...extra],
      w.options({ env: { OPENAI_API_KEY: 'sk-test-000' } }),
    )

  it('signals for every pair; a validated category, reason and checked quotes for every failed pair; resumes from the cache', async () => {
    answer = {
      category: 'expectation',
      reason: 'Both agents rewrote the signature of truncate without agreeing on it.',
      evidence: [
        { source: 'tests of feature 1', quote: 'test_trailing_punctuation_dropped FAILED' },
        { source: 'conversation', quote: 'a sentence nobody wrote' },
      ],
    }
    const r = await judge()
    expect(r.code, describeResult(r)).toBe(0)
    const analysis = await readJson(join(w.logs, 'coop', 'analysis.json'))
    expect(JSON.parse(r.stdout)).toEqual(analysis)
    expect(analysis.judge).toEqual({ model: 'openai/judge-model', prompt_version: 'taxonomy-v1' })
    const failed = analysis.pairs.filter((p: { outcome: string }) => p.outcome === 'failed')
    expect(failed.length).toBeGreaterThan(0)
    expect(llm.chatRequests()).toHaveLength(failed.length)
    // The judge saw the pair's material and was asked for the tool.
    const request = llm.chatRequests()[0]!.body
    expect(request.tools?.map((t) => t.function.name)).toEqual(['record_judgement'])
    expect(JSON.stringify(request.messages)).toMatch(/## Patch of agent1/)
    for (const pair of failed) {
      expect(pair.judgement).toMatchObject({
        category: 'expectation',
        model: 'openai/judge-model',
        evidence: [
          { source: 'tests of feature 1', found: expect.any(Boolean) },
          { source: 'conversation', quote: 'a sentence nobody wrote', found: false },
        ],
        input_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      })
    }
    // textkit 12 f1,f4 fails test_trailing_punctuation_dropped of feature 1 after the union merge:
    // that quote is in its test output.
    const pair14 = failed.find((p: { features: number[] }) => p.features.join() === '1,4')
    // Not failed means the run or its evaluation went another way: say how, from the pair's own files.
    if (pair14 === undefined) throw new Error(`textkit 12 f1,f4 is not a failed pair: ${await pairFiles(w, 'coop', 'textkit_task', 12, [1, 4])}`)
    expect(pair14.judgement.evidence[0].found).toBe(true)
    for (const pair of analysis.pairs) expect(pair.signals).toMatchObject({ messages: 0, files_both_edited: expect.any(Array) })
    expect(analysis.summary).toMatchObject({ pairs: 6, failed: failed.length, judged: failed.length })
    expect(analysis.summary.categories.expectation).toMatchObject({ count: failed.length, share: 1 })

    // Again: every judgement is reused, no model call.
    const before = llm.chatRequests().length
    const again = await judge()
    expect(again.code, describeResult(again)).toBe(0)
    expect(llm.chatRequests()).toHaveLength(before)
    // --force judges again.
    expect((await judge('--force')).code).toBe(0)
    expect(llm.chatRequests()).toHaveLength(before + failed.length)
  }, 180_000)

  it('an answer outside the schema is recorded as a judge error, never as a category, and is retried by the next analysis', async () => {
    answer = { category: 'bad luck', reason: 'x', evidence: [] }
    const r = await judge('--force')
    // Nothing could be judged: an error (exit 1), not a 0 % analysis; the judge errors are in analysis.json.
    expect(r.code, describeResult(r)).toBe(1)
    expect(r.stderr).toMatch(/^error: the judge openai\/judge-model judged none of the \d+ failed pair\(s\) of coop: the judgement does not fit/m)
    const analysis = await readJson(join(w.logs, 'coop', 'analysis.json'))
    const failed = analysis.pairs.filter((p: { outcome: string }) => p.outcome === 'failed')
    for (const pair of failed) {
      expect(pair.judgement).toBeNull()
      expect(pair.judge_error).toMatch(/does not fit its schema: \/category must be equal to one of the allowed values/)
    }
    expect(analysis.summary.judged).toBe(0)

    answer = { category: 'communication', reason: 'A question went unanswered.', evidence: [{ source: 'conversation', quote: 'x' }] }
    const before = llm.chatRequests().length
    const retried = await judge()
    expect(llm.chatRequests().length - before).toBe(failed.length)
    expect(JSON.parse(retried.stdout).summary.categories.communication.count).toBe(failed.length)
  }, 180_000)

  it('a judge that never calls the tool judged nothing: exit 1, the reason named, one error line', async () => {
    const silent = await startScriptedLlmServer({ script: () => textTurn('I think it is a communication failure.') })
    try {
      const r = await runCli(
        ['analyze', '-n', 'coop', '--force', '-m', 'openai/judge-model', '--model-base-url', silent.url],
        w.options({ env: { OPENAI_API_KEY: 'sk-test-000' } }),
      )
      expect(r.code, describeResult(r)).toBe(1)
      expect(r.stderr).toMatch(/^error: the judge openai\/judge-model judged none of .*: the model did not call record_judgement$/m)
      expect(r.stderr).toMatch(/^hint: Check the judge model/m)
      expect(silent.chatRequests().length).toBeGreaterThan(0)
    } finally {
      await silent.close()
    }
  }, 120_000)

  it('an unreachable judge or a refused key is refused up front, before any pair, like run refuses its model', async () => {
    const before = await readFile(join(w.logs, 'coop', 'analysis.json'), 'utf8')
    const nobody = `http://127.0.0.1:${await freePort()}/v1`
    const unreachable = await runCli(
      ['analyze', '-n', 'coop', '--force', '-m', 'openai/judge-model', '--model-base-url', nobody],
      w.options({ env: { OPENAI_API_KEY: 'sk-test-000' } }),
    )
    expect(unreachable.code, describeResult(unreachable)).toBe(4)
    expect(unreachable.stderr).toContain(`error: the model server at ${nobody} does not answer (ECONNREFUSED)`)
    expect(unreachable.stderr).not.toMatch(/^\[\d+\//m)

    const refusing = await startScriptedLlmServer({ script: () => textTurn('never asked'), fault: { answer: 401 } })
    try {
      const refused = await runCli(
        ['analyze', '-n', 'coop', '--force', '-m', 'openai/judge-model', '--model-base-url', refusing.url],
        w.options({ env: { OPENAI_API_KEY: 'sk-wrong-000' } }),
      )
      expect(refused.code, describeResult(refused)).toBe(2)
      expect(refused.stderr).toMatch(/^error: the model server at .* refuses OPENAI_API_KEY \(HTTP 401/m)
      expect(refusing.chatRequests()).toHaveLength(0)
    } finally {
      await refusing.close()
    }
    // Refused before any pair: the earlier analysis is untouched.
    expect(await readFile(join(w.logs, 'coop', 'analysis.json'), 'utf8')).toBe(before)
  }, 120_000)

  it('a judge refused at its first call (the key, after a listing that answered) stops the analysis there: exit 2, one call', async () => {
    // A server whose models listing answers but whose chat refuses the key: stopped at the first pair, not asked once per pair.
    const chatRefusing = await startScriptedLlmServer({ script: () => textTurn('never answered'), fault: { answer: 401, routes: 'chat' } })
    try {
      const stopped = await runCli(
        ['analyze', '-n', 'coop', '--force', '-m', 'openai/judge-model', '--model-base-url', chatRefusing.url],
        w.options({ env: { OPENAI_API_KEY: 'sk-wrong-000' } }),
      )
      expect(stopped.code, describeResult(stopped)).toBe(2)
      expect(stopped.stderr).toMatch(/^error: the judge openai\/judge-model cannot be used: .*401/m)
      expect(chatRefusing.requests.filter((q) => q.path.endsWith('/chat/completions'))).toHaveLength(1)
    } finally {
      await chatRefusing.close()
    }
  }, 120_000)

  it('without -m, only the signals: no judge, no model call', async () => {
    const before = llm.chatRequests().length
    const r = await runCli(['analyze', '-n', 'coop'], w.options())
    expect(r.code, describeResult(r)).toBe(0)
    expect(r.stdout).toMatch(/not judged \(pass -m MODEL/)
    // The oracle takes no model steps: its messaging share is not a number, never 0.0%.
    expect(r.stdout).toMatch(/^ {2}steps on messaging +n\/a \(no model steps\)$/m)
    expect(llm.chatRequests()).toHaveLength(before)
    expect((await readJson(join(w.logs, 'coop', 'analysis.json'))).judge).toBeNull()
  }, 180_000)
})
