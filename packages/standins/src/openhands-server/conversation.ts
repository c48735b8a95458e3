/** Conversations (conversation_service.py / event_service.py / sdk LocalConversation + Agent): the event log, state dumps and the run loop. */
import type { ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { step } from './agent-step.js'
import type { Config } from './config.js'
import { AGENT_OUTCOME, classifyError } from './error-classification.js'
import { makeEvent, messageText, type OhEvent, textContent } from './events.js'
import { isObject, jsonClone, type JsonObject } from './json.js'
import { Metrics } from './metrics.js'
import { compact, nextEventTimestamp, utcIso } from './python-compat.js'
import { CancelledError, CodedError } from './run-errors.js'
import { killProcessGroup } from './terminal.js'
import { type ClientToolSpec, conversationTools, systemPromptToolDump, type ToolEntry } from './tools.js'
import { requestTitle, type StateFiles } from './upstream-habits.js'

export type ExecutionStatus = 'idle' | 'running' | 'paused' | 'waiting_for_confirmation' | 'finished' | 'error' | 'stuck' | 'deleting'

export interface Subscriber {
  send(event: OhEvent): void
}

export interface ActiveRun {
  controller: AbortController
  child: ChildProcess | null
  done: Promise<void>
  interrupted: boolean
}

export interface LlmConfig {
  model: string
  baseUrl: string
  apiKey: string | null
  usageId: string
  timeoutMs: number
  numRetries: number
}

const SECRET_LLM_FIELDS = ['api_key', 'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token']

export class Conversation {
  readonly events: OhEvent[] = []
  private readonly eventIndex = new Map<string, number>()
  readonly subscribers = new Set<Subscriber>()
  status: ExecutionStatus = 'idle'
  lastUserMessageId: string | null = null
  leafEventId: string | null = null
  readonly metrics: Metrics
  readonly createdAt = new Date()
  updatedAt = new Date()
  run: ActiveRun | null = null
  rerunRequested = false
  closed = false
  socketDrops = 0
  /** Working directory and exported variables of the emulated persistent shell. */
  cwd: string
  readonly shellStateFile: string
  readonly tools: ToolEntry[]
  /** Process groups of the commands run so far (background jobs stay in them). */
  readonly processGroups = new Set<ChildProcess>()
  private systemPromptSent = false
  /** Whether the first user message starts a title call (request `autotitle`, default true upstream). */
  autotitle = false
  title: string | null = null
  stateFiles: StateFiles | null = null
  private readonly titleCall = new AbortController()

  constructor(
    readonly id: string,
    readonly agent: JsonObject,
    readonly llm: LlmConfig,
    readonly workingDir: string,
    readonly maxIterations: number,
    readonly stuckDetection: boolean,
    readonly clientTools: ClientToolSpec[],
    readonly tags: JsonObject,
    readonly confirmationPolicy: JsonObject,
    private readonly systemPrompt: string,
    readonly config: Config,
  ) {
    this.metrics = new Metrics(llm.model)
    this.cwd = workingDir
    this.shellStateFile = join(tmpdir(), `fake-openhands-shell-${id}.sh`)
    this.tools = conversationTools(clientTools)
  }

  // --- the event log ---------------------------------------------------------------------

  /**
   * LocalConversation._on_event: stamp parent_id, publish, append, advance HEAD. The timestamp is
   * (re)taken here, so the log's order is also its timestamp order (results created earlier than
   * a message that overtook them still sort after it, which `resend_mode=since` relies on).
   */
  emit(event: OhEvent): OhEvent {
    if (this.closed) return event
    const { id, timestamp: _created, source, parent_id: parent, ...rest } = event
    for (const key of Object.keys(event)) delete event[key]
    Object.assign(
      event,
      { id, timestamp: nextEventTimestamp(), source },
      parent !== undefined ? { parent_id: parent } : this.leafEventId !== null ? { parent_id: this.leafEventId } : {},
      rest,
    )
    this.publish(event)
    this.eventIndex.set(event.id, this.events.length)
    this.events.push(event)
    this.stateFiles?.writeEvent(event)
    this.updatedAt = new Date()
    if (this.autotitle && event.kind === 'MessageEvent' && event.source === 'user') {
      this.autotitle = false
      requestTitle(this.llm, messageText(event), this.titleCall.signal, (title) => (this.title = title))
    }
    if (event.kind !== 'ConversationStateUpdateEvent') this.leafEventId = event.id
    if (event.kind === 'MessageEvent' && event.source === 'user') {
      this.lastUserMessageId = event.id
      this.emitStateUpdate('last_user_message_id', event.id)
    }
    return event
  }

  publish(event: OhEvent): void {
    for (const subscriber of [...this.subscribers]) {
      try {
        subscriber.send(event)
      } catch {
        // a broken socket must not stop the others
      }
    }
  }

  getEvent(id: string): OhEvent | undefined {
    const index = this.eventIndex.get(id)
    return index === undefined ? undefined : this.events[index]
  }

  /** ConversationState.__setattr__'s on_state_change: ConversationStateUpdateEvent(key, value). */
  emitStateUpdate(key: string, value: unknown): void {
    this.emit(makeEvent('ConversationStateUpdateEvent', 'environment', { key, value }))
  }

  setStatus(status: ExecutionStatus): void {
    if (this.status === status) return
    this.status = status
    this.emitStateUpdate('execution_status', status)
  }

  /** ConversationStats dumped with context use_snapshot (the `stats` state update). */
  statsSnapshot(): JsonObject {
    return { usage_to_metrics: { [this.llm.usageId]: this.metrics.snapshot() } }
  }

  /** The agent as ConversationInfo / the state dump carry it: as sent, secrets redacted. */
  agentDump(): JsonObject {
    const agent = jsonClone(this.agent)
    if (isObject(agent.llm)) for (const field of SECRET_LLM_FIELDS) if (typeof agent.llm[field] === 'string') agent.llm[field] = '**********'
    if (agent.kind === undefined) agent.kind = 'Agent'
    return agent
  }

  /**
   * The fields the state dump and ConversationInfo share, built once. Both models list them in the
   * same order, but each puts fields of its own in between, so they come in the runs they share.
   */
  private commonFields(): { setup: JsonObject; progress: JsonObject; accounting: JsonObject } {
    return {
      setup: {
        workspace: { working_dir: this.workingDir, kind: 'LocalWorkspace' },
        persistence_dir: 'workspace/conversations',
        max_iterations: this.maxIterations,
        stuck_detection: this.stuckDetection,
        execution_status: this.status,
        confirmation_policy: this.confirmationPolicy,
      },
      progress: {
        invoked_skills: [],
        blocked_actions: {},
        blocked_messages: {},
        last_user_message_id: this.lastUserMessageId,
        leaf_event_id: this.leafEventId,
      },
      accounting: {
        stats: { usage_to_metrics: { [this.llm.usageId]: this.metrics.full() } },
        secret_registry: { secret_sources: {} },
      },
    }
  }

  /** ConversationState.model_dump(mode="json", exclude_none=True): the `full_state` value. */
  stateDump(): JsonObject {
    const { setup, progress, accounting } = this.commonFields()
    return compact({
      id: this.id,
      agent: this.agentDump(),
      ...setup,
      activated_knowledge_skills: [],
      activated_path_rules: [],
      ...progress,
      head_is_empty: false,
      ...accounting,
      tags: this.tags,
      agent_state: {},
    })
  }

  /** ConversationStateUpdateEvent.from_conversation_state: key `full_state`, not recorded. */
  fullStateEvent(): OhEvent {
    return makeEvent('ConversationStateUpdateEvent', 'environment', { key: 'full_state', value: this.stateDump() })
  }

  /** models.py ConversationInfo as conversation_service._compose_conversation_info builds it. */
  info(): JsonObject {
    const { setup, progress, accounting } = this.commonFields()
    return {
      id: this.id,
      ...setup,
      security_analyzer: null,
      activated_knowledge_skills: [],
      ...progress,
      ...accounting,
      agent_state: {},
      hook_config: null,
      title: this.title,
      metrics: null,
      created_at: utcIso(this.createdAt),
      updated_at: utcIso(this.updatedAt),
      forked_from_conversation_id: null,
      forked_from_event_id: null,
      parent_conversation_id: null,
      sub_conversation_ids: [],
      tags: this.tags,
      current_model_id: null,
      available_models: [],
      supports_runtime_model_switch: false,
      launched_agent_profile: null,
      agent: this.agentDump(),
      client_tools: this.clientTools.map((spec) => ({
        name: spec.name,
        description: spec.description,
        parameters: spec.parameters,
        annotations: spec.annotations ?? null,
      })),
    }
  }

  // --- messages and runs (event_service.py send_message / run / pause / interrupt) ----------

  /** Agent.init_state: the SystemPromptEvent, once, before the first user message. */
  private ensureAgentReady(): void {
    if (this.systemPromptSent) return
    this.systemPromptSent = true
    const tools = this.tools.map(systemPromptToolDump)
    this.emit(makeEvent('SystemPromptEvent', 'agent', { system_prompt: textContent(this.systemPrompt), tools }))
  }

  /** LocalConversation.send_message (+ EventService.send_message's run handling). */
  sendMessage(role: string, content: JsonObject[], run: boolean): void {
    if (this.closed) throw new Error('inactive_service')
    this.ensureAgentReady()
    if (this.status === 'finished' || this.status === 'stuck') this.setStatus('idle')
    this.emit(makeEvent('MessageEvent', 'user', { llm_message: { role, content, thinking_blocks: [] }, activated_skills: [], extended_content: [] }))
    if (!run) return
    if (this.run !== null) {
      this.rerunRequested = true
      return
    }
    this.startRun()
  }

  /** EventService.run: refuses when already running. */
  startRun(): void {
    if (this.closed) throw new Error('inactive_service')
    if (this.status === 'running' || this.run !== null) throw new Error('conversation_already_running')
    if (this.config.hang === 'run') return
    const controller = new AbortController()
    const active: ActiveRun = { controller, child: null, done: Promise.resolve(), interrupted: false }
    this.run = active
    // LocalConversation.run: idle/paused/error/stuck -> running before the first step
    if (['idle', 'paused', 'error', 'stuck'].includes(this.status)) this.setStatus('running')
    active.done = this.runLoop(active)
  }

  /** LocalConversation.pause: between steps, from idle or running. */
  pause(): void {
    if (this.status === 'paused') return
    if (this.status === 'idle' || this.status === 'running') {
      this.setStatus('paused')
      this.emit(makeEvent('PauseEvent', 'user', {}))
    }
  }

  /** EventService.interrupt: cancels the in-flight step (LLM call or command); falls back to pause. */
  async interrupt(): Promise<void> {
    this.rerunRequested = false
    const active = this.run
    if (active === null) {
      this.pause()
      this.publish(this.fullStateEvent())
      return
    }
    this.cancelRun(active)
    await Promise.race([active.done, sleep(5000)])
  }

  private cancelRun(active: ActiveRun): void {
    active.interrupted = true
    active.controller.abort()
    killProcessGroup(active.child)
  }

  /** EventService.close as DELETE runs it: pause, cancel the run, stop publishing. */
  async close(): Promise<void> {
    this.rerunRequested = false
    const active = this.run
    if (active !== null) {
      this.pause()
      this.cancelRun(active)
      await Promise.race([active.done, sleep(10_000)])
    }
    this.subscribers.clear()
    this.closed = true
    this.titleCall.abort()
    // the terminal session goes with the conversation, background jobs included
    for (const child of this.processGroups) killProcessGroup(child)
    this.processGroups.clear()
    rmSync(this.shellStateFile, { force: true })
  }

  /** LocalConversation.run / arun: steps until finished, paused, stuck, an error or max_iterations. */
  private async runLoop(active: ActiveRun): Promise<void> {
    await Promise.resolve() // let startRun return first
    let iteration = 0
    try {
      for (;;) {
        if (this.status === 'paused' || this.status === 'stuck' || this.status === 'finished') break
        if (this.status === 'waiting_for_confirmation') this.setStatus('running')
        await step(this, active)
        iteration++
        if (iteration >= this.maxIterations) {
          if ((this.status as ExecutionStatus) === 'finished') break
          const detail = `Agent reached maximum iterations limit (${this.maxIterations}).`
          this.setStatus('error')
          this.emit(
            makeEvent('ConversationErrorEvent', 'environment', {
              code: 'MaxIterationsReached',
              detail,
              classification: classifyError('MaxIterationsReached', detail),
            }),
          )
          break
        }
      }
    } catch (error) {
      if (error instanceof CancelledError || active.interrupted) {
        // arun's CancelledError handler: close orphaned tool calls, PAUSED, InterruptEvent
        for (const action of this.unmatchedActions()) {
          this.emit(
            makeEvent('AgentErrorEvent', 'agent', {
              tool_name: action.tool_name,
              tool_call_id: action.tool_call_id,
              error: 'Tool call interrupted before completion. The conversation was paused.',
              classification: AGENT_OUTCOME,
            }),
          )
        }
        this.setStatus('paused')
        this.emit(makeEvent('InterruptEvent', 'user', {}))
      } else {
        const code = error instanceof CodedError ? error.code : error instanceof Error ? error.constructor.name : 'Exception'
        const detail = error instanceof Error ? error.message : String(error)
        this.setStatus('error')
        this.emit(makeEvent('ConversationErrorEvent', 'environment', { code, detail, classification: classifyError(code, detail) }))
      }
    } finally {
      killProcessGroup(active.child)
      if (this.run === active) this.run = null
      if (!this.closed) {
        this.publish(this.fullStateEvent())
        const rerun = this.rerunRequested
        this.rerunRequested = false
        if (rerun && this.status === 'idle' && !active.interrupted) this.startRun()
      }
    }
  }

  /** ActionEvents with no observation, error or rejection yet (ConversationState.get_unmatched_actions). */
  private unmatchedActions(): OhEvent[] {
    const answered = new Set<string>()
    for (const event of this.events)
      if (['ObservationEvent', 'AgentErrorEvent', 'UserRejectObservation'].includes(event.kind)) answered.add(String(event.tool_call_id))
    return this.events.filter((event) => event.kind === 'ActionEvent' && event.action !== undefined && !answered.has(String(event.tool_call_id)))
  }
}
