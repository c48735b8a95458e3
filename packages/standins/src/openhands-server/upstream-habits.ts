/**
 * What the real agent server does beside the agent loop that a bridge has to reckon with,
 * as recorded from openhands-agent-server 1.43.1 (packages/agent-openhands-bridge/test/fixtures/
 * openhands-server/): the title model call, the state files under its working directory, and the
 * condenser's validation.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { HttpError } from './http-errors.js'
import { isObject, type JsonObject } from './json.js'
import { postJson, wireModel } from './llm-call.js'
import type { LlmConfig } from './conversation.js'

/**
 * AutoTitleSubscriber (conversation_service.py, sdk conversation/title_utils.py): unless the request
 * says `autotitle: false`, the first user message starts one model call of its own, without tools,
 * whose answer becomes the conversation's title. It runs beside the agent's first call, sent first.
 */
export function requestTitle(llm: LlmConfig, firstMessage: string, signal: AbortSignal, onTitle: (title: string) => void): void {
  const body = {
    model: wireModel(llm.model),
    messages: [
      {
        role: 'system',
        content: 'Generate a concise title (at most 50 characters) for a conversation that starts with the user message below. Answer with the title only.',
      },
      { role: 'user', content: firstMessage },
    ],
  }
  const headers: Record<string, string> = llm.apiKey ? { authorization: `Bearer ${llm.apiKey}` } : {}
  postJson(`${llm.baseUrl.replace(/\/+$/, '')}/chat/completions`, body, headers, llm.timeoutMs, signal).then(
    (answer) => {
      const parsed = answer.status < 300 ? (JSON.parse(answer.text) as JsonObject) : null
      const choice = parsed && Array.isArray(parsed.choices) && isObject(parsed.choices[0]) ? parsed.choices[0] : null
      const content = choice && isObject(choice.message) ? choice.message.content : null
      // generate_fallback_title: the message's start when the model gives nothing usable
      onTitle(typeof content === 'string' && content.trim() !== '' ? content.trim().slice(0, 50) : firstMessage.slice(0, 50))
    },
    () => onTitle(firstMessage.slice(0, 50)),
  )
}

/**
 * The conversation's persistence (`persistence_dir`, default `workspace/conversations`, relative
 * to the server's working directory): base_state.json and one file per event, as the real server
 * writes them. A server started in a repository leaves them in its `git status`.
 */
export class StateFiles {
  readonly dir: string
  private count = 0

  constructor(conversationId: string, persistenceDir: string = 'workspace/conversations') {
    this.dir = join(persistenceDir, conversationId.replaceAll('-', ''))
  }

  writeBase(state: JsonObject): void {
    this.write('base_state.json', state)
  }

  writeEvent(event: JsonObject): void {
    this.write(join('events', `event-${String(this.count++).padStart(5, '0')}-${String(event.id)}.json`), event)
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }

  private write(name: string, value: unknown): void {
    try {
      mkdirSync(join(this.dir, name, '..'), { recursive: true })
      writeFileSync(join(this.dir, name), JSON.stringify(value))
    } catch {
      // a read-only working directory: the real server would fail here; the stand-in goes on
    }
  }
}

/**
 * LLMSummarizingCondenser.validate_keep_first_vs_max_size: `max_size // 2 - keep_first - 1` must be
 * positive (keep_first defaults to 2, so max_size 8 is the smallest accepted); else FastAPI's 422.
 */
export function checkCondenser(agent: JsonObject): void {
  const condenser = agent.condenser
  if (!isObject(condenser) || condenser.kind !== 'LLMSummarizingCondenser') return
  const maxSize = typeof condenser.max_size === 'number' ? condenser.max_size : 240
  const keepFirst = typeof condenser.keep_first === 'number' ? condenser.keep_first : 2
  if (Math.floor(maxSize / 2) - keepFirst - 1 > 0) return
  const msg = 'keep_first must be less than max_size // 2 to leave room for condensation'
  const { kind: _kind, ...input } = condenser
  throw new HttpError(422, [{ type: 'value_error', loc: ['body', 'agent', 'condenser'], msg: `Value error, ${msg}`, input, ctx: { error: msg } }])
}
