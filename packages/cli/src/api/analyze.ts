import { type AnalysisRecord, type AnalyzeRunOptions, analyzeRun, type JudgeModel } from '@cooperbench/report'
import { logDirOf } from './log-dir.js'

export interface AnalyzeOptions extends Omit<AnalyzeRunOptions, 'logDir' | 'modelJudge'> {
  /** The folder holding the run folders; default: the one `run` uses. */
  logDir?: string
  cwd?: string
}

/** `cooperbench analyze`: report's `analyzeRun` (signals, the judge's categories, a resumable analysis.json) with mini-SWE's model layer as judge. */
export async function analyze(options: AnalyzeOptions): Promise<AnalysisRecord> {
  return analyzeRun({ ...options, logDir: await logDirOf(options), modelJudge })
}

/** A judge on mini-SWE's model layer (keys from the environment), checked up front as `run` checks a model: a bad server or key fails once, not per pair. */
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
