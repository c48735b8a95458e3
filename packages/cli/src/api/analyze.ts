import { type AnalysisRecord, type AnalyzeRunOptions, analyzeRun, type JudgeModel } from '@cooperbench/report'
import { logDirOf } from './log-dir.js'

export interface AnalyzeOptions extends Omit<AnalyzeRunOptions, 'logDir' | 'modelJudge'> {
  /** The folder holding the run folders; default: the one `run` uses. */
  logDir?: string
  cwd?: string
}

/**
 * `cooperbench analyze` (`@cooperbench/report`'s `analyzeRun`): each coop pair's model-free coordination signals and, per failed pair,
 * the paper's failure category from an LLM judge (mini-SWE's model layer) quoting evidence. Written to `<run>/analysis.json` after
 * every pair, so it resumes; a judgement is reused while the judge's model, prompt version and inputs are unchanged.
 */
export async function analyze(options: AnalyzeOptions): Promise<AnalysisRecord> {
  return analyzeRun({ ...options, logDir: await logDirOf(options), modelJudge })
}

/**
 * A judge on mini-SWE's model layer (its providers, keys from the environment), checked up front as `run` checks a model (a base URL's
 * models listing must answer and take the key), so a bad server or key fails at once, not per pair.
 */
async function modelJudge(model: string, baseUrl: string | undefined): Promise<JudgeModel> {
  const { createChatModel, probeModelServer } = await import('@cooperbench/agent-mini-swe')
  const chat = createChatModel({ model, baseUrl: baseUrl ?? null, maxRetries: 3 })
  if (baseUrl !== undefined) await probeModelServer(model, baseUrl)
  return async ({ system, user, tool }) => {
    const response = await chat.complete({
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
      tools: [tool],
      temperature: 0,
    })
    return { toolArguments: response.toolCalls.find((c) => c.name === tool.name)?.arguments ?? null, text: response.text }
  }
}
