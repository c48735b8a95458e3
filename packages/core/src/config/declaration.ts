import { DEFAULT_EVALUATION_POLICY, EVALUATION_POLICIES } from '@cooperbench/spec/records'
import { DEFAULT_IMAGE_NAMESPACE, DEFAULT_IMAGE_TEMPLATE } from '@cooperbench/spec/images'
import { z } from 'zod'

const URL_OF_REDIS = /^(redis|rediss|unix):\/\//
// No separator, no control character (a newline would split every line that names the run), not . or ..
const FOLDER_NAME = /^(?!\.\.?$)[^/\\\x00-\x1f\x7f]+$/
const IMAGE_TEMPLATE = /^([^{}]|\{(namespace|slug|repo|taskId)\})*$/

/** A key that may be set to null ("not set"), with null as its default. */
const unset = <T extends z.ZodType>(schema: T) => schema.nullable().default(null)

/** One of the five coordination features of a team: on unless switched off. */
const teamFeature = (description: string) => z.boolean().default(true).meta({ description })

/** The options of plugin objects by name; each object validates its own (`agents.<name>`, …). */
const optionsByName = (name: string, what = name) =>
  z
    .record(z.string(), z.looseObject({}))
    .default({})
    .meta({ description: `Options per ${name} name; each ${what} validates its own options.` })

/**
 * The run configuration, declared once: the config file's JSON schema (`schema.json`, for
 * editors and for ajv, which validates every layer), the types `CooperbenchConfig` and
 * `ResolvedConfig` and the defaults `CONFIG_DEFAULTS` all derive from it, and so do the option
 * tables of the user guide. Keys are in the order the schema, and its problems, list them.
 */
export const configDeclaration = z
  .strictObject({
    $schema: z
      .string()
      .optional()
      .meta({ description: 'Path or URL of this JSON schema, for editor completion (e.g. ./node_modules/@cooperbench/core/dist/config/schema.json).' }),
    datasetDir: z
      .string()
      .min(1)
      .default('./dataset')
      .meta({ description: 'Dataset folder (`--dataset-dir`): one `<repo>_task/task<id>/` folder per task, plus `subsets/`.' }),
    logDir: z.string().min(1).default('./logs').meta({ description: 'Folder holding one sub-folder per run (`--log-dir`).' }),
    setting: z.enum(['coop', 'solo', 'team']).default('coop').meta({
      description:
        '`coop`: two agents, one feature each; `solo`: one agent implements both features; `team`: one agent per feature, `agent1` the lead, with a shared task list and scratchpad (upstream CooperBench 0.0.16) (`--setting`).',
    }),
    agent: z.string().min(1).default('mini_swe_agent').meta({ description: 'Agent adapter name (`-a, --agent`), as registered by a plugin.' }),
    modelName: z
      .string()
      .min(1)
      .default('vertex_ai/gemini-3-flash-preview')
      .meta({ description: 'Model id in LiteLLM `provider/model` form (`-m, --model`).' }),
    backend: z.string().min(1).default('local').meta({
      description: 'Execution backend: where sandboxes run (`--backend`), e.g. `local` or `docker`; `cooperbench backends list` shows the installed ones.',
    }),
    bus: z
      .string()
      .min(1)
      .default('memory')
      .meta({ description: 'Message bus for coop messaging: `memory` (in-process) or `redis`. Defaults to `redis` when `redisUrl` is set, else `memory`.' }),
    evaluator: z.string().min(1).default('default').meta({
      description:
        "Evaluator that judges each pair (`cooperbench evaluators list`); its options go under `evaluators.<name>`. `default` is the reference algorithm: naive merge, then union, then every feature's hidden tests.",
    }),
    policy: z.enum(EVALUATION_POLICIES).default(DEFAULT_EVALUATION_POLICY).meta({
      description:
        "Evaluation policy (`--policy`): how a coop team's patches become the verdict, named after the upstream CooperBench version it follows. `cooperbench-0.0.16` (upstream's current): identical patches tested once, else a naive merge, else agent1's patch alone; `cooperbench-0.0.14`: naive merge, then union. Part of the run's fingerprint.",
    }),
    redisUrl: unset(z.string().regex(URL_OF_REDIS)).meta({
      patternErrorMessage: 'must be a redis://, rediss:// or unix:// URL',
      description: 'Redis URL (`--redis`), e.g. `redis://localhost:6379`. Setting it selects the `redis` bus unless `bus` says otherwise.',
    }),
    concurrency: z.int().min(1).default(30).meta({ description: 'Pairs executed in parallel (`-c, --concurrency`).' }),
    evalConcurrency: z.int().min(1).default(10).meta({ description: 'Parallel evaluations during auto-eval (`--eval-concurrency`).' }),
    messagingEnabled: z
      .boolean()
      .default(true)
      .meta({ description: 'Let coop agents message each other (`--no-messaging` turns it off; the coop framing of the prompt stays).' }),
    team: z
      .strictObject({
        taskList: teamFeature('The shared task list and its `coop-task-*` commands, seeded before the agents start (`--team-no-task-list`).'),
        scratchpad: teamFeature(
          'The shared folder `/workspace/shared` in every sandbox of the team, with the task list mirrored in `tasks/` (`--team-no-scratchpad`).',
        ),
        mcp: teamFeature('The `wait_for_message` MCP tool of CLI agents (`--team-no-mcp`).'),
        autoRefresh: teamFeature('The `[Team task list]` summary a loop agent shows its model before every call (`--team-no-auto-refresh`).'),
        protocol: teamFeature('The typed `coop-request` / `coop-respond` / `coop-pending` commands (`--team-no-protocol`).'),
      })
      .prefault({})
      .meta({
        description:
          "The coordination features of `setting: team`, each on by default (upstream's `TeamHarnessConfig`); switching one off is an ablation, recorded as `team_features` and part of the run's fingerprint. Only `setting: team` may switch one off.",
      }),
    gitEnabled: z.boolean().default(false).meta({ description: 'Give coop agents a shared git remote (`--git`).' }),
    autoEval: z.boolean().default(true).meta({ description: 'Evaluate each pair right after it runs (`--no-auto-eval` turns it off).' }),
    subset: unset(z.string().min(1)).meta({ description: 'Subset name: keep only the tasks of `<datasetDir>/subsets/<name>.json` (`-s, --subset`).' }),
    repo: unset(z.string().min(1)).meta({ description: 'Exact repo folder name to run, e.g. `pallets_click_task` (`-r, --repo`).' }),
    taskId: unset(z.int().min(0)).meta({ description: 'Task id to run, e.g. `2068` (`-t, --task`); `0` selects task 0.' }),
    teamSize: z.int().min(2).default(2).meta({
      description:
        "Features per team (`--agents N`): coop runs N agents, one feature each, and merges their N patches; solo gives all N features to one agent. With more than 2, a subset's pair lists do not apply: every team of its tasks runs.",
    }),
    features: unset(z.array(z.int().min(0)).min(1)).meta({ description: 'Feature ids to pair (`-f, --features A,B`); de-duplicated and sorted ascending.' }),
    runName: unset(z.string().min(1).regex(FOLDER_NAME)).meta({
      patternErrorMessage: 'must be a folder name: no / or \\ or control characters, not . or ..',
      description:
        'Run name = folder under `logDir` (`-n, --name`), at most 255 bytes (UTF-8). When absent it is generated from setting, agent, model and the subset, repo and task filters (not the features, as in the reference).',
    }),
    modelBaseUrl: unset(z.string().min(1)).meta({
      description:
        'Base URL of an OpenAI-compatible server (vLLM, Ollama, a LiteLLM proxy) the model is called at (`--model-base-url`); the client then speaks the Chat Completions API.',
    }),
    agentConfig: unset(z.string().min(1)).meta({
      description: "Path of a YAML file forwarded to the agent adapter (`--agent-config`). Its digest is part of the run's configuration fingerprint.",
    }),
    testTimeoutSeconds: z
      .number()
      .gt(0)
      .default(600)
      .meta({ description: 'Timeout of each test run during evaluation, in seconds; on expiry the feature fails.' }),
    agentTimeoutSeconds: unset(z.number().gt(0)).meta({
      description: 'Whole-agent wall-clock limit in seconds (null: none). Reaching it ends the agent with status LimitsExceeded.',
    }),
    stepLimit: z.int().min(0).default(100).meta({ description: 'Model calls per agent before it stops with status LimitsExceeded (0: no limit).' }),
    costLimit: z.number().min(0).default(3).meta({ description: 'Cost per agent in USD before it stops with status LimitsExceeded (0: no limit).' }),
    image: z
      .strictObject({
        namespace: z
          .string()
          .min(1)
          .default(DEFAULT_IMAGE_NAMESPACE)
          .meta({ description: 'Registry namespace of the task images (Docker Hub account or registry/path).' }),
        template: z.string().min(1).regex(IMAGE_TEMPLATE).default(DEFAULT_IMAGE_TEMPLATE).meta({
          patternErrorMessage: 'may only use the placeholders {namespace}, {slug}, {repo} and {taskId}',
          description: 'Image name template. Placeholders: {namespace}; {slug} (repo folder without `_task`, `_` -> `-`); {repo} (repo folder name); {taskId}.',
        }),
      })
      .prefault({})
      .meta({ description: 'Task image naming.' }),
    plugins: z.array(z.string().min(1)).default([]).meta({
      description: 'Plugin modules to load besides installed plugins: package names, or paths (starting with `.` or `/`) relative to this file.',
    }),
    agents: optionsByName('agent'),
    backends: optionsByName('backend'),
    buses: optionsByName('message-bus', 'bus'),
    evaluators: optionsByName('evaluator'),
  })
  .meta({
    title: 'cooperbench configuration',
    description:
      'Configuration file of the cooperbench harness (cooperbench.config.*, .cooperbenchrc*, or the "cooperbench" key of package.json). Precedence: built-in defaults < this file < environment (COOPERBENCH_*) < command-line flags. Relative paths are resolved against the directory of this file.',
  })
