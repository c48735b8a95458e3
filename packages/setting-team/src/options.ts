import type { TeamFeatures } from './team-types.js'

/**
 * The team setting's options: upstream's five features, each on unless switched off, ours, `taskCommands` (off: no task list of any
 * kind), and `promptTemplate`, upstream's team block for agents that follow upstream's prompts.
 */
export interface TeamOptions {
  taskList: boolean
  scratchpad: boolean
  mcp: boolean
  autoRefresh: boolean
  protocol: boolean
  taskCommands: boolean
  /** A JSON file of upstream's team prompt strings (`lead`, `member`, `_TEAM_LIST_USAGE`, `wait_for_message`), relative to the working dir. */
  promptTemplate: string | null
}

/** What switches one feature off: upstream's flag (`--team-no-task-list`), and its name in `COOPERBENCH_TEAM_OFF` and run names. */
const OFF_PREFIX = 'team-no-'

/** Each option: its flag's name, description, and what its ablation runs without. */
const FEATURES: ReadonlyArray<{ key: Exclude<keyof TeamOptions, 'promptTemplate'>; off: string; description: string; without: string }> = [
  {
    key: 'taskList',
    off: 'task-list',
    description: "The task list seeded before the agents start, and its records and metrics (off: upstream's arm, the commands stay)",
    without: "the seeded task list and its metrics (upstream's arm: the coop-task-* commands stay)",
  },
  {
    key: 'scratchpad',
    off: 'scratchpad',
    description: 'The shared folder `/workspace/shared` in every sandbox of the team, with the task list mirrored in `tasks/`',
    without: 'the shared folder /workspace/shared (and the task mirror in it)',
  },
  { key: 'mcp', off: 'mcp', description: 'The `wait_for_message` MCP tool of CLI agents', without: "CLI agents' wait_for_message MCP tool" },
  {
    key: 'autoRefresh',
    off: 'auto-refresh',
    description: 'The `[Team task list]` summary a loop agent shows its model before every call',
    without: 'the [Team task list] summary loop agents show before each model call',
  },
  {
    key: 'protocol',
    off: 'protocol',
    description: 'The typed `coop-request` / `coop-respond` / `coop-pending` commands',
    without: 'the typed coop-request / coop-respond / coop-pending commands',
  },
  {
    key: 'taskCommands',
    off: 'task-commands',
    description: "Any task list for the agents (off: no list, no `coop-task-*` or protocol commands, no summary; cooperbench's clean ablation)",
    without: 'any task list: no list, commands, summary or requests',
  },
]

/** The options as the registration declares them: switches on by default (upstream's team), `--team-no-*` flags, `COOPERBENCH_TEAM_OFF`. */
export const TEAM_OPTION_DECLARATIONS = {
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...Object.fromEntries(FEATURES.map((f) => [f.key, { type: 'boolean', default: true, description: `${f.description} (\`--${OFF_PREFIX}${f.off}\`).` }])),
      promptTemplate: {
        type: ['string', 'null'],
        default: null,
        description:
          "Upstream's team block for agents that follow upstream's prompts (a reference configuration): a JSON file of the strings of upstream's team prompt module, relative to the working directory.",
      },
    },
  },
  spellings: {
    ...Object.fromEntries(
      FEATURES.map((f) => [f.key, { offFlag: `${OFF_PREFIX}${f.off}`, help: `Team ablation: run without ${f.without} (with --setting team).` }]),
    ),
    promptTemplate: {
      flag: 'team-prompt-template',
      env: 'COOPERBENCH_TEAM_PROMPT_TEMPLATE',
      help: "Upstream's team prompt strings (JSON), for reference agents.",
    },
  },
  offList: { env: 'COOPERBENCH_TEAM_OFF', prefix: OFF_PREFIX },
} as const

/**
 * Named as upstream's `TeamHarnessConfig`. `--team-no-task-list` (upstream's arm) drops seeding, records and metrics, the list still backing
 * commands and summary; `--team-no-task-commands` drops list, protocol, summary, recording `task_commands: false` (on: upstream's five keys).
 */
export function teamFeaturesOf(options: TeamOptions): TeamFeatures {
  const any = options.taskCommands
  return {
    task_list: options.taskList && any,
    scratchpad: options.scratchpad,
    mcp: options.mcp,
    auto_refresh: options.autoRefresh && any,
    protocol: options.protocol && any,
    ...(any ? {} : { task_commands: false }),
  }
}

/** Whether a feature on uses the task list: the seeded list, the commands of the protocol, the summary. */
export function usesTaskList(features: TeamFeatures): boolean {
  return features.task_list || features.protocol || features.auto_refresh
}

/** The names of the features switched off, in order: what a run name says (`no-mcp`). */
export function featuresOffNames(options: TeamOptions): string[] {
  return FEATURES.filter((f) => !options[f.key]).map((f) => f.off)
}

/** The options as validated (the schema filled every default in). */
export function teamOptionsOf(options: Record<string, unknown>): TeamOptions {
  const switches = Object.fromEntries(FEATURES.map((f) => [f.key, options[f.key] !== false]))
  return { ...switches, promptTemplate: typeof options.promptTemplate === 'string' ? options.promptTemplate : null } as TeamOptions
}
