import { type AgentRunContext, type BusMessage, errorMessage } from '@cooperbench/spec'
import { sleepOrWake } from '@cooperbench/spec-utils'
import type { CliStreamSummary } from './profile.js'
import type { StreamFollower } from './stream-follower.js'
import { parsePollOutput, pollScript } from './teammate-commands.js'

export interface TeammateRelayOptions {
  pollMs: number
  /** The run's signal: a poll in flight is killed with it. */
  signal: AbortSignal
  /** Called after every poll that read new stream lines. */
  onProgress(summary: CliStreamSummary): void
  /** A message's inbox file, and whether the harness adds notes (a teammate already finished); default: `check_messages`' text, with notes. */
  inbox?: { entry(message: BusMessage): string; notes: boolean }
}

const ourInbox = { entry: (m: BusMessage) => `[Message from ${m.from}]: ${m.content}`, notes: true }

/**
 * The harness's side of the file mailbox while the CLI runs: every `pollMs`, one sandbox command files the bus's messages
 * in the inbox and hands back the outbox (sent on the bus as this agent) and the new stream lines (saved, checked against
 * the limits). Without a mailbox it only follows the stream.
 */
export class TeammateRelay {
  private loop: Promise<void> | null = null
  private stopped = false
  private readonly sleepers = new Set<() => void>()
  /** Notes for the agent's inbox that are not bus messages (a teammate that already finished). */
  private readonly notes: string[] = []

  constructor(
    private readonly ctx: AgentRunContext,
    private readonly follower: StreamFollower,
    private readonly options: TeammateRelayOptions,
  ) {}

  /** Polls until `running` settles or {@link finish} is called. */
  start(running: Promise<unknown>): void {
    running.then(
      () => this.halt(),
      () => this.halt(),
    )
    this.loop = (async () => {
      while (!this.stopped) {
        await sleepOrWake(this.options.pollMs, this.sleepers)
        if (this.stopped) break
        try {
          await this.poll()
        } catch (error) {
          if (this.options.signal.aborted) break
          this.ctx.logger.warn(`${this.ctx.agentId}: a poll of the CLI's mailbox and stream failed (tried again): ${errorMessage(error)}`)
        }
      }
    })()
  }

  private halt(): void {
    this.stopped = true
    for (const wake of this.sleepers) wake()
  }

  /** Stops polling, then one last poll delivers what the CLI queued at the end and reads the whole stream. */
  async finish(): Promise<void> {
    this.halt()
    await this.loop
    this.loop = null
    if (this.options.signal.aborted) return
    await this.poll()
    try {
      this.follower.replace(Buffer.from(await this.ctx.sandbox.readFile(this.follower.file)).toString('utf8'))
    } catch {
      // no stream file: the CLI never started; the result says so
    }
  }

  private async poll(): Promise<void> {
    const { ctx } = this
    const inbox = this.options.inbox ?? ourInbox
    const inbound = [...this.notes.splice(0), ...(ctx.mailbox ? (await ctx.mailbox.receive()).map(inbox.entry) : [])]
    const stdin = inbound.map((text) => `${Buffer.from(text, 'utf8').toString('base64')}\n`).join('')
    const result = await ctx.sandbox.exec(pollScript(this.follower.file, this.follower.offset), {
      stdin,
      signal: this.options.signal,
      timeoutMs: 60_000,
    })
    if (result.exitCode !== 0 && !result.stdout.includes('S\n')) {
      this.notes.unshift(...inbound)
      throw new Error(`exit code ${result.exitCode}: ${result.stderr.trim().slice(-300)}`)
    }
    const { outbox, stream } = parsePollOutput(result.stdout)
    for (const message of outbox) {
      if (!ctx.mailbox) continue
      try {
        const sent = await ctx.mailbox.send(message.to, message.content)
        if (sent.recipientFinished && inbox.notes) this.notes.push(`[cooperbench] ${message.to} has already finished and will not read your message.`)
      } catch (error) {
        if (inbox.notes) this.notes.push(`[cooperbench] Your message to ${message.to} was not delivered: ${errorMessage(error)}`)
      }
    }
    if (!result.truncated && this.follower.consume(stream)) {
      const summary = this.follower.summary()
      await ctx.recorder.save([{ role: 'user', content: ctx.instructions }, ...summary.messages])
      this.options.onProgress(summary)
    }
  }
}
