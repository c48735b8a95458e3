import type { AgentRunContext } from '@cooperbench/spec'
import { BASH_TOOL, NO_TOOL_CALL, parseBashCall } from './bash-tool.js'
import { combineOutput, renderObservation, submissionOf } from './observation.js'
import { callOptions, type MiniSweAgentOptions } from './options.js'
import { PROFILE_TEMPLATES, promptVars } from './prompt.js'
import type { Messaging, MiniSweProtocol } from './protocol.js'
import { deliverSends, parseSendMessages } from './send-message.js'

const SEND_USAGE =
  'send_message could not be understood, so nothing in this command was run. Write each message as ' +
  'send_message agent2 <<\'MSG\' (body lines, then a line MSG) or as send_message agent2 "text", ' +
  'and do not mix the two forms in one command.'

/** Models already warned about an unknown price in this process: one warning per model per run, not per agent. */
const warnedUnknownPrices = new Set<string>()

/**
 * Profile `cooperbench-v1`, in the spirit of mini-swe-agent v2: our prompts and options, plain `bash` commands observed
 * with exit code and shortened output, `send_message` with replies (`--wait`), our compaction, every call costed.
 */
export function cooperbenchProtocol(options: MiniSweAgentOptions, ctx: AgentRunContext, replyTimeoutMs = 60_000): MiniSweProtocol {
  const vars = promptVars(ctx, options, replyTimeoutMs)
  const { compaction } = options
  const timeoutSeconds = options.command_timeout_seconds
  return {
    templates: PROFILE_TEMPLATES,
    vars: () => vars,
    observation: (output) => ({
      content: renderObservation({ ...output, timeoutSeconds }, options.observation_max_chars),
      extra: { returncode: output.returncode },
    }),
    observations: 'each',
    beforeCall: ['interruption', 'limits', 'inbox', 'compaction', 'status'],
    formatErrorLimit: options.format_error_limit,
    wallSeconds: options.wall_time_limit_seconds,
    exceeded: (limit) =>
      'steps' in limit
        ? `step limit of ${limit.steps} model calls reached`
        : 'costUsd' in limit
          ? `cost limit of $${limit.costUsd} reached ($${limit.spent.toFixed(4)} spent)`
          : `${limit.formatErrors} consecutive replies without a usable tool call`,
    tool: BASH_TOOL,
    request: callOptions(options),
    unknownPrice(model) {
      if (warnedUnknownPrices.has(model)) return
      warnedUnknownPrices.add(model)
      ctx.logger.warn(
        `no price known for model ${model}: its cost is unknown (shown as "cost unknown", never $0; result.json says cost_unknown ` +
          'and the trajectory marks each such call), and the cost limit cannot stop them: bound the run with --step-limit or --agent-timeout',
      )
    },
    countsCallsMade: false,
    parseReply: (calls) => (calls.length === 0 ? { error: NO_TOOL_CALL } : calls.map(parseBashCall)),
    dropsUnusableReplies: false,
    costCounts: 'every-call',
    compaction: compaction.enabled
      ? {
          triggerTokens: compaction.trigger_tokens,
          keepLast: compaction.keep_last,
          summaryPrompt: compaction.summary_prompt,
          summary: 'transcript',
          endsStep: true,
        }
      : null,
    runner: { argv: (command) => command, env: null, output: combineOutput, timeoutSeconds },
    messaging: cooperbenchMessaging(replyTimeoutMs),
    submission: submissionOf,
    otherErrors: 'rethrow',
  }
}

/** `send_message` in commands (./send-message.ts): sent through the bus, `--wait` waiting for the reply; a form it cannot read is refused. */
function cooperbenchMessaging(replyTimeoutMs: number): Messaging {
  return {
    clearsInbox: false,
    parse(command) {
      const parsed = parseSendMessages(command)
      if (parsed.unparsed) return { returncode: 2, output: SEND_USAGE }
      return parsed.sends.length > 0 ? parsed : null
    },
    async deliver(mailbox, sends, signal) {
      const report = await deliverSends(mailbox, sends, { replyTimeoutMs, signal })
      return { output: `${report.lines.join('\n')}\n`, returncode: report.failed ? 1 : 0 }
    },
    separator: '',
  }
}
