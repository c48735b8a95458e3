import type { AgentRunContext } from '@cooperbench/spec'
import { normalizeSubmittedPatch, universalNewlines } from '@cooperbench/spec-utils/patch'
import type { ToolCall } from '../llm/index.js'
import { bashTool } from '../agent/bash-tool.js'
import { type CommandOutcome, SUBMIT_MARKER } from '../agent/observation.js'
import { callOptions, DEFAULT_SUMMARY_PROMPT, type MiniSweAgentOptions } from '../agent/options.js'
import type { Action, Messaging, MiniSweProtocol } from '../agent/protocol.js'
import type { ReferenceProtocol } from './config.js'
import { showsTask, TASK_NOT_SHOWN_FIX, taskNotShown } from './task-shown.js'
import { taskWithBriefing } from './task-with-briefing.js'
import { MALFORMED_SEND_MESSAGE, mentionsSendMessage, parseReferenceSends, stripReferenceSends } from './send-message.js'
import { referenceCommandTimeout, timedOutResult } from './command-timeout.js'
import { followsAtLeast } from './reference-version.js'
import { referenceShellScript } from './toolchain-path.js'
import { departureAnnouncer, deliverWithLiveness, renderWithBlocked } from './peer-liveness.js'
import { referenceTemplateVars, type TemplateContext } from './template-vars.js'
import {
  MAX_SUBMIT_NUDGES,
  openedPullRequest,
  PR_REMOTE,
  type PreparedPullRequests,
  preparePullRequests,
  pullRequestPatch,
  submitNudge,
} from './pull-request.js'
import { publishPatchFile } from './publish-at-exit.js'

/** The bash tool as the reference declares it, word for word: part of every request. */
const REFERENCE_BASH_TOOL = bashTool('Execute a bash command', 'The bash command to execute')

/**
 * `mini_swe_agent` under the reference's protocol (docs/reproducing-the-paper.md): its templates, step order, observations
 * and format errors (an unusable reply dropped, its cost not counted), environment, messaging, compaction, and `patch.txt`
 * (0.0.12–0.0.13: the text after the marker; 0.0.23 on: the branch of its pull request) as the submission.
 */
export function referenceProtocol(config: ReferenceProtocol, options: MiniSweAgentOptions, ctx: AgentRunContext): MiniSweProtocol {
  const timeoutSeconds = referenceCommandTimeout(config, options)
  const { compaction } = config
  const run = referenceTemplateContext(ctx)
  const script = referenceShellScript(config)
  return {
    // The reference renders a format error with the error alone (its parse_toolcall_actions), not with the run's variables.
    templates: {
      system: config.systemTemplate,
      instance: config.instanceTemplate,
      formatError: { render: (vars) => config.formatErrorTemplate.render({ error: vars['error'] }) },
    },
    // The preflight rendered with placeholders (an image, a task); a condition on the pair's values can still hide the task.
    openingProblem: (system, instance) =>
      showsTask([system, instance], run.task)
        ? null
        : `${taskNotShown(ctx.peers.length === 0 ? '' : ` to ${ctx.agentId}`, " with this pair's values (the preflight's placeholders showed it)")}, so it did not start. ${TASK_NOT_SHOWN_FIX}`,
    vars: ({ calls, cost }) => referenceTemplateVars(config, { ...run, calls, cost }),
    observation(outcome, vars) {
      const shown = outcome.timedOut
        ? timedOutResult(config, outcome, timeoutSeconds)
        : { output: outcome.output, returncode: outcome.returncode, exception_info: '' }
      const content = config.observationTemplate.render({ ...vars, output: shown })
      return { content, extra: { returncode: shown.returncode, raw_output: shown.output } }
    },
    observations: 'per-reply',
    // A status is read where the reference's TeamPoller ran: at the hook of its inbox poll, before the step.
    beforeCall: ['inbox', 'status', 'limits', 'compaction'],
    formatErrorLimit: 0,
    wallSeconds: null,
    exceeded: () => 'LimitsExceeded',
    tool: REFERENCE_BASH_TOOL,
    request: { ...config.modelKwargs.request, ...callOptions(options) },
    unknownPrice(model) {
      if (config.costTracking !== 'default') return
      throw new Error(
        `no price is known for model ${model}; the configuration's model.cost_tracking is "default", which makes that an error (set it to "ignore_errors" to go on at $0)`,
      )
    },
    countsCallsMade: true,
    parseReply: parseReferenceReply,
    dropsUnusableReplies: true,
    costCounts: 'accepted-replies',
    compaction: compaction.enabled
      ? {
          triggerTokens: compaction.triggerTokens,
          keepLast: compaction.keepRecentTurns,
          summaryPrompt: compaction.summaryPrompt ?? DEFAULT_SUMMARY_PROMPT,
          summary: 'messages',
          endsStep: false,
        }
      : null,
    runner: {
      argv: (command) => ['bash', '-c', 'exec 2>&1; exec bash -lc "$1"', 'bash', script(command)],
      env: config.env,
      // The reference reads command output in Python's text mode: `\r\n` and `\r` arrive as `\n`.
      output: (stdout, stderr) => universalNewlines(stdout + stderr),
      timeoutSeconds,
    },
    messaging: referenceMessaging(ctx, {
      // The shared remote's name in what the agent reads: `team` until upstream renamed it (0.0.23).
      remote: followsAtLeast(config.version, '0.0.23') ? PR_REMOTE : (ctx.git?.remote ?? 'team'),
      answersMalformed: followsAtLeast(config.version, '0.0.27'),
      liveness: followsAtLeast(config.version, '0.0.22'),
      blocking: followsAtLeast(config.version, '0.0.27'),
    }),
    submission: submittedAfterMarker,
    ...(config.submission === 'pull-request'
      ? pullRequestSubmission(config, ctx)
      : config.version === '0.0.22'
        ? publishedPatchFile(ctx)
        : {
            // After any ending, the reference's adapter reads patch.txt (0.0.14); 0.0.12–0.0.13's patch is the text after the
            // marker ('' without a submission), normalised as patch.txt is (their whitespace strip, 0.0.14's bug, not reproduced).
            submittedPatch:
              config.submission === 'after-marker'
                ? { source: 'after_submit_marker', read: async (ended) => (ended.status === 'Submitted' ? normalizeSubmittedPatch(ended.content) : '') }
                : { source: 'agent_patch_file', read: readPatchFile },
          }),
    // Any other error ends the run with `Error`, the agent's; the submission is still read.
    otherErrors: 'agent',
  }
}

/**
 * 0.0.23 on (./pull-request.ts): the sandbox set up with `origin` and the `gh` shim before the first step, the branch of
 * the agent's pull request judged after any ending; 0.0.24 on, with a colleague to message (upstream's `self.comm`),
 * an ending with unshared work turned down at most twice.
 */
function pullRequestSubmission(config: ReferenceProtocol, ctx: AgentRunContext): Pick<MiniSweProtocol, 'prepare' | 'beforeExit' | 'submittedPatch'> {
  const { agentId } = ctx
  let prepared: PreparedPullRequests | null = null
  let nudges = 0
  return {
    async prepare(exec, write) {
      prepared = await preparePullRequests(exec, write, { agentId, shared: ctx.git, version: config.version })
      return prepared.pathDir
    },
    ...(followsAtLeast(config.version, '0.0.24') && ctx.mailbox !== null
      ? {
          async beforeExit(exec) {
            if (nudges >= MAX_SUBMIT_NUDGES) return null
            const nudge = await submitNudge(exec, agentId)
            if (nudge !== null) nudges += 1
            return nudge
          },
        }
      : {}),
    submittedPatch: {
      source: 'pull_request',
      async read(_ended, exec) {
        if (prepared === null) return ''
        const patch = await pullRequestPatch(exec, agentId, prepared.base, config.version)
        // Upstream's exit marker: "published" exactly when the agent opened a pull request (`mark_exited(published=_opened_pr())`).
        if (ctx.mailbox && (await openedPullRequest(exec, agentId).catch(() => false))) await ctx.mailbox.markPublished?.().catch(() => {})
        return patch
      },
    },
  }
}

/**
 * 0.0.22: patch.txt is judged as 0.0.14's, and, with a shared remote and a colleague, also published to the agent's branch
 * there as it exits (./publish-at-exit.ts), the exit marker saying whether that worked.
 */
function publishedPatchFile(ctx: AgentRunContext): Pick<MiniSweProtocol, 'prepare' | 'submittedPatch'> {
  let base = ''
  return {
    async prepare(exec) {
      base = (await exec('git rev-parse HEAD')).output.trim()
      return ''
    },
    submittedPatch: {
      source: 'agent_patch_file',
      async read(ended, exec) {
        const patch = await readPatchFile(ended, exec)
        const { git, mailbox } = ctx
        if (git && mailbox && base !== '' && (await publishPatchFile(exec, { agentId: ctx.agentId, remote: git.remote, base }))) {
          await mailbox.markPublished?.().catch(() => {})
        }
        return patch
      },
    },
  }
}

/** What the template variables take from the run (`TemplateContext`, less the calls and their cost). */
export function referenceTemplateContext(ctx: AgentRunContext): Omit<TemplateContext, 'calls' | 'cost'> {
  return {
    agentId: ctx.agentId,
    team: [ctx.agentId, ...ctx.peers].sort(byAgentNumber),
    messaging: ctx.mailbox !== null,
    git: ctx.git !== null,
    task: taskWithBriefing(ctx),
    model: ctx.model,
    image: ctx.image ?? '',
    backend: ctx.backend ?? '',
  }
}

/**
 * `send_message` as the reference's agent finds it (./send-message.ts) and sends it; `answersMalformed`
 * (0.0.27 on): a command naming it with no send read is answered with the parse error, not run; `liveness`
 * (0.0.22's messaging, 0.0.22 on): a finished peer is not sent to, ends a `--wait`, and is announced once; `blocking`
 * (0.0.27 on): a `--wait` is published while it lasts and a message from a sender waiting on this agent reads BLOCKED (./peer-liveness.ts).
 */
function referenceMessaging(
  ctx: AgentRunContext,
  { remote, answersMalformed, liveness, blocking }: { remote: string; answersMalformed: boolean; liveness: boolean; blocking: boolean },
): Messaging {
  const unknown = (recipient: string) =>
    ctx.logger.warn(`${ctx.agentId}: a message to "${recipient}" reached no teammate (the reference reports it sent all the same)`)
  if (liveness) {
    return {
      clearsInbox: true,
      parse: (command) => parseReference(command, answersMalformed),
      deliver: (mailbox, sends, signal) => deliverWithLiveness(mailbox, sends, signal, unknown, { blocking, remote }),
      ...(blocking ? { render: renderWithBlocked } : {}),
      separator: '\n',
      notices: departureAnnouncer(remote),
    }
  }
  return {
    // The reference deletes the agent's inbox when it connects.
    clearsInbox: true,
    parse: (command) => parseReference(command, answersMalformed),
    // `--wait` is a plain send in the reference (0.0.14), and a send to nobody still says "sent".
    async deliver(mailbox, sends) {
      const lines: string[] = []
      for (const { recipient, body } of sends) {
        if (recipient !== mailbox.agentId && mailbox.peers.includes(recipient)) await mailbox.send(recipient, body)
        else unknown(recipient)
        lines.push(`Message sent to ${recipient}`)
      }
      return { output: lines.join('\n'), returncode: 0 }
    },
    separator: '\n',
  }
}

/** A command's sends and the rest; 0.0.27 on, one naming `send_message` with none read is answered with the parse error. */
function parseReference(command: string, answersMalformed: boolean): ReturnType<Messaging['parse']> {
  const sends = parseReferenceSends(command)
  if (sends.length > 0) return { sends, remaining: stripReferenceSends(command) }
  return answersMalformed && mentionsSendMessage(command) ? { output: MALFORMED_SEND_MESSAGE, returncode: 1 } : null
}

/** First line (after leading whitespace) the marker, exit code 0: what follows is the submission. */
function submittedAfterMarker(output: CommandOutcome): string | null {
  const lines = output.output.trimStart().split(PYTHON_LINE_END)
  return lines.length > 0 && lines[0]!.trim() === SUBMIT_MARKER && output.returncode === 0 ? lines.slice(1).join('') : null
}

/** `cat patch.txt` in the repository after the run, in text mode, normalised as upstream 0.0.16 does; '' when it fails. */
async function readPatchFile(_ended: unknown, exec: (command: string) => Promise<CommandOutcome>): Promise<string> {
  try {
    const result = await exec('cat patch.txt 2>/dev/null')
    return result.returncode === 0 ? normalizeSubmittedPatch(result.output) : ''
  } catch {
    return ''
  }
}

/** Python's `str.splitlines(keepends=True)` boundaries. */
const PYTHON_LINE_END = /(?<=\r\n|[\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]|\r(?!\n))/u

const byAgentNumber = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true })

/** The reference's parser: every call of a reply as an action, or the reply's first problem. */
function parseReferenceReply(calls: ToolCall[]): Action[] | { error: string } {
  if (calls.length === 0) return { error: 'No tool calls found in the response. Every response MUST include at least one tool call.' }
  const actions: Action[] = []
  for (const call of calls) {
    let problem = ''
    let args: Record<string, unknown> = {}
    try {
      args = JSON.parse(call.arguments) as Record<string, unknown>
    } catch (error) {
      problem = `Error parsing tool call arguments: ${(error as Error).message}. `
    }
    if (call.name !== 'bash' && call.name !== 'send_message') problem += `Unknown tool '${call.name}'.`
    else if (call.name === 'bash' && !has(args, 'command')) problem += "Missing 'command' argument in bash tool call."
    else if (call.name === 'send_message') {
      if (!has(args, 'recipient')) problem += "Missing 'recipient' argument in send_message tool call."
      if (!has(args, 'content')) problem += "Missing 'content' argument in send_message tool call."
    }
    if (problem !== '') return { error: problem.trim() }
    if (call.name === 'bash') actions.push({ id: call.id, command: String(args['command']) })
    else actions.push({ id: call.id, sends: [{ recipient: String(args['recipient']), body: String(args['content']), wait: false, viaTool: true }] })
  }
  return actions
}

const has = (args: unknown, key: string) => typeof args === 'object' && args !== null && key in args
