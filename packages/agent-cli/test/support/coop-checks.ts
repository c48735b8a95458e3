import { join } from 'node:path'
import { expect } from 'vitest'
import { expectPairsAsExpected } from '../../../cli/test/e2e/expected-verdicts.js'
import { readJson } from '../../../cli/test/e2e/helpers.js'

/** One agent's entry in a pair's result.json, as far as the CLI agents' e2e tests read it. */
export interface AgentRecord {
  status: string
  error: unknown
  patch_source?: string
  cost?: number
  cost_unknown?: true
  input_tokens?: number
  steps?: number
}

/** One message of a pair's conversation.json. */
export interface ConversationMessage {
  from: string
  to: string
  message: string
}

/**
 * What every CLI agent's coop e2e checks of its pair folder: each agent Submitted (then `eachAgent`'s
 * own checks), messages both ways in conversation.json, and the oracle's verdict on the pair
 * (dataset/expected/demo-verdicts.json). Returns the conversation for further checks.
 */
export async function expectCoopSubmitted(dir: string, eachAgent?: (name: string, agent: AgentRecord) => void): Promise<ConversationMessage[]> {
  const result = await readJson<{ agents: Record<string, AgentRecord> }>(join(dir, 'result.json'))
  for (const [name, agent] of Object.entries(result.agents)) {
    expect(agent.status, `${name}: ${String(agent.error)}`).toBe('Submitted')
    eachAgent?.(name, agent)
  }
  const conversation = await readJson<ConversationMessage[]>(join(dir, 'conversation.json'))
  expect(conversation.map((m) => `${m.from}>${m.to}`).sort()).toEqual(['agent1>agent2', 'agent2>agent1'])
  expectPairsAsExpected([dir], 'coop')
  return conversation
}
