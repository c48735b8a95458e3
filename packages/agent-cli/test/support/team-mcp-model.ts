import type { ScriptedTurn } from '@cooperbench/testkit'
import type { FeatureRef } from '../../../cli/test/e2e/gold-features.js'
import type { ShellCall } from './gold-model.js'

/** A tool a request offers: its name and, for a tool inside a Responses `namespace` tool (Codex's MCP tools), that namespace. */
export interface OfferedTool {
  name: string
  namespace?: string
}

/** What the scripted team model sees of one request: its texts, the tools it offers, the assistant turns so far. */
export interface TeamModelView {
  texts: string[]
  tools: OfferedTool[]
  assistantTurns: number
}

/**
 * What the lead's first command prints: the CLI's commands and how many config files of its home
 * name the MCP server. It sleeps a second after printing: Qwen Code 0.24's shell tool (without a
 * pty) takes a command's output on the child's `exit` event, before the pipe's last bytes are read,
 * so on a busy machine a command that exits at once can come back as "(empty)".
 */
export const INSPECT_COMMAND =
  "echo \"bin: $(ls /tmp/.cooperbench-cli/bin | tr '\\n' ' ')\"; " +
  'echo "registered: $(cd /tmp/.cooperbench-cli/home && cat .claude.json config.toml .qwen/settings.json 2>/dev/null | grep -c cooperbench-team)"; ' +
  'sleep 1'

/** The text the member sends its lead. */
export const MEMBER_MESSAGE = 'agent2 here: my feature is in, nothing of yours touched.'

type ToolEntry = { type?: unknown; name?: unknown; tools?: unknown; function?: { name?: unknown } }

/**
 * The tools of a request's tool list (Anthropic's and the Responses API's `name`, Chat
 * Completions' `function.name`); a Responses `namespace` tool gives its members, each with the namespace.
 */
export function offeredTools(tools: unknown): OfferedTool[] {
  if (!Array.isArray(tools)) return []
  return (tools as ToolEntry[]).flatMap((tool): OfferedTool[] => {
    if (typeof tool?.function?.name === 'string') return [{ name: tool.function.name }]
    if (typeof tool?.name !== 'string') return []
    if (tool.type !== 'namespace') return [{ name: tool.name }]
    const namespace = tool.name
    return offeredTools(tool.tools).map((inner) => ({ ...inner, namespace }))
  })
}

/** A tool as the checks name it: `namespace/name` inside a namespace. */
export const toolLabel = (tool: OfferedTool) => (tool.namespace === undefined ? tool.name : `${tool.namespace}/${tool.name}`)

/** The wait tool among a request's tools, as the CLI offers it. */
export const waitToolOf = (tools: readonly OfferedTool[]) => tools.find((t) => /wait_for_message$/.test(t.name))

/**
 * A scripted model playing a team of two in the demo pair, each agent found by its role line and
 * its feature by its text. The lead (agent1) prints what its sandbox holds (INSPECT_COMMAND), then,
 * when its requests offer the `wait_for_message` tool, calls it and, once it returned, applies its
 * gold patch and stops. The member (agent2) applies its gold patch and sends MEMBER_MESSAGE, only
 * after the lead's call of the tool was answered by this model (so the message arrives while the
 * lead waits), then stops.
 */
export function teamMcpModel(features: FeatureRef[], shell: ShellCall) {
  let leadWaiting: () => void = () => {}
  const leadWaits = new Promise<void>((resolve) => {
    leadWaiting = resolve
  })
  const apply = (f: FeatureRef) =>
    `echo ${Buffer.from(f.gold, 'utf8').toString('base64')} | base64 -d > /tmp/gold.patch && git apply /tmp/gold.patch && rm /tmp/gold.patch`
  return async (view: TeamModelView): Promise<ScriptedTurn> => {
    const text = view.texts.join('\n')
    const role = /You are \*\*(agent\d+)\*\*, (the lead|a member)/.exec(text)
    const mine = features.filter((f) => text.includes(f.spec))
    if (!role || mine.length !== 1) return { content: `cannot tell who this is (${mine.length} features matched)` }
    const wait = waitToolOf(view.tools)
    let plan: ScriptedTurn[]
    if (role[2] === 'the lead') {
      if (wait === undefined) leadWaiting()
      plan = [
        shell(INSPECT_COMMAND),
        ...(wait === undefined ? [] : [{ toolCalls: [{ ...wait, arguments: { timeout_seconds: 240 } }] }]),
        shell(apply(mine[0]!)),
        { content: 'My feature is implemented.' },
      ]
      if (wait !== undefined && view.assistantTurns === 1) setTimeout(leadWaiting, 0)
    } else {
      // A lead that never gets there fails the test on its own; the member then goes on after a while.
      if (view.assistantTurns === 0) await Promise.race([leadWaits, new Promise((resolve) => setTimeout(resolve, 120_000).unref())])
      plan = [shell(`${apply(mine[0]!)} && send_message agent1 "${MEMBER_MESSAGE}"`), { content: 'My feature is implemented.' }]
    }
    return plan[Math.min(view.assistantTurns, plan.length - 1)]!
  }
}
