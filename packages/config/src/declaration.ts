import { DEFAULT_EVALUATION_POLICY, DEFAULT_SETTING, EVALUATION_POLICIES } from '@cooperbench/spec'
import { DEFAULT_IMAGE_NAMESPACE, DEFAULT_IMAGE_TEMPLATE } from '@cooperbench/spec-utils/images'
import { z } from 'zod'
import { spelled } from './spellings.js'

/**
 * `@cooperbench/config/declaration`, not the package's main entry: zod is ~95 modules, and what the
 * CLI needs of the declaration is read from it at build time (`declared-keys.generated.ts`).
 */
export { spelled }

const URL_OF_REDIS = /^(redis|rediss|unix):\/\//
// No separator, no control character (a newline would split every line that names the run), not . or ..
const FOLDER_NAME = /^(?!\.\.?$)[^/\\\x00-\x1f\x7f]+$/
const IMAGE_TEMPLATE = /^([^{}]|\{(namespace|slug|repo|taskId)\})*$/

/** A key that may be set to null ("not set"), with null as its default. */
const unset = <T extends z.ZodType>(schema: T) => schema.nullable().default(null)

/** The options of plugin objects by name; each object validates its own (`agents.<name>`, …). */
const optionsByName = (name: string, what = name) =>
  z
    .record(z.string(), z.looseObject({}))
    .default({})
    .meta({ description: `Options per ${name} name; each ${what} validates its own options.` })

/**
 * The run configuration, declared once: `schema.json` (editors, ajv for every layer),
 * `CooperbenchConfig`, `ResolvedConfig`, `CONFIG_DEFAULTS`, `DECLARED_KEYS` and the guide's option
 * tables derive from it. Key order is the schema's and its problems'.
 */
export const configDeclaration = z
  .strictObject({
    $schema: z
      .string()
      .optional()
      .meta({ description: 'Path or URL of this JSON schema, for editor completion (e.g. ./node_modules/@cooperbench/config/dist/schema.json).' }),
    datasetDir: spelled(
      z.string().min(1).default('./dataset').meta({ description: 'Dataset folder: one `<repo>_task/task<id>/` folder per task, plus `subsets/`.' }),
      { flag: 'dataset-dir', env: 'COOPERBENCH_DATASET_DIR', helpValue: 'DIR', help: 'Dataset root.' },
    ),
    logDir: spelled(z.string().min(1).default('./logs').meta({ description: 'Folder holding one sub-folder per run.' }), {
      flag: 'log-dir',
      env: 'COOPERBENCH_LOG_DIR',
      helpValue: 'DIR',
      help: 'Log root; runs are folders under it.',
    }),
    setting: spelled(
      z.string().min(1).default(DEFAULT_SETTING).meta({
        description:
          'Collaboration setting by name, as registered by a plugin (`cooperbench settings` lists the installed ones and their options): `coop`, two agents, one feature each; `solo`, one agent for every feature; `team`, `sequential`, … Its options go under `settings.<name>`.',
      }),
      {
        flag: 'setting',
        env: 'COOPERBENCH_SETTING',
        help: 'Collaboration setting by name: coop, solo, team, sequential, … (`cooperbench settings` lists them and their options).',
      },
    ),
    agent: spelled(z.string().min(1).default('mini_swe_agent').meta({ description: 'Agent adapter name, as registered by a plugin.' }), {
      flag: 'agent',
      char: 'a',
      env: 'COOPERBENCH_AGENT',
      help: 'Agent by name; `cooperbench agents list` shows the installed ones.',
    }),
    modelName: spelled(z.string().min(1).default('vertex_ai/gemini-3-flash-preview').meta({ description: 'Model id in LiteLLM `provider/model` form.' }), {
      flag: 'model',
      char: 'm',
      env: 'COOPERBENCH_MODEL',
      help: 'Model id, LiteLLM style provider/model.',
    }),
    backend: spelled(
      z.string().min(1).default('local').meta({
        description: 'Execution backend: where sandboxes run, e.g. `local` or `docker`; `cooperbench backends list` shows the installed ones.',
      }),
      { flag: 'backend', env: 'COOPERBENCH_BACKEND', help: 'Execution backend by name; `cooperbench backends list` shows the installed ones.' },
    ),
    bus: z
      .string()
      .min(1)
      .default('memory')
      .meta({ description: 'Message bus for coop messaging: `memory` (in-process) or `redis`. Defaults to `redis` when `redisUrl` is set, else `memory`.' }),
    evaluator: spelled(
      z.string().min(1).default('default').meta({
        description:
          "Evaluator that judges each pair (`cooperbench evaluators list`); its options go under `evaluators.<name>`. `default` is the reference algorithm: naive merge, then union, then every feature's hidden tests.",
      }),
      { flag: 'evaluator', env: 'COOPERBENCH_EVALUATOR', helpValue: 'NAME', help: 'Evaluator that judges each pair (`cooperbench evaluators list`).' },
    ),
    policy: spelled(
      z.enum(EVALUATION_POLICIES).default(DEFAULT_EVALUATION_POLICY).meta({
        description:
          "Evaluation policy: how a coop pair's patches become the verdict, named after the upstream CooperBench version it follows. `cooperbench-0.0.16` (upstream's current): identical patches tested once, else a naive merge, else agent1's patch alone; `cooperbench-0.0.14`: naive merge, then union. Part of the run's fingerprint.",
      }),
      {
        flag: 'policy',
        env: 'COOPERBENCH_POLICY',
        helpValue: 'POLICY',
        help: "Evaluation policy: how a coop pair's patches become the verdict, after the upstream CooperBench version it follows (cooperbench-0.0.16: identical, naive, agent1 alone; cooperbench-0.0.14: naive, then union).",
      },
    ),
    redisUrl: spelled(
      unset(z.string().regex(URL_OF_REDIS)).meta({
        patternErrorMessage: 'must be a redis://, rediss:// or unix:// URL',
        description: 'Redis URL, e.g. `redis://localhost:6379`. Setting it selects the `redis` bus unless `bus` says otherwise.',
      }),
      { flag: 'redis', env: 'COOPERBENCH_REDIS_URL', helpValue: 'URL', help: 'Redis URL; selects the redis message bus (else the bus is memory).' },
    ),
    concurrency: spelled(z.int().min(1).default(30).meta({ description: 'Pairs executed in parallel.' }), {
      flag: 'concurrency',
      char: 'c',
      env: 'COOPERBENCH_CONCURRENCY',
      help: 'Pairs run in parallel.',
    }),
    evalConcurrency: spelled(z.int().min(1).default(10).meta({ description: 'Parallel evaluations during auto-eval.' }), {
      flag: 'eval-concurrency',
      env: 'COOPERBENCH_EVAL_CONCURRENCY',
    }),
    messagingEnabled: spelled(
      z.boolean().default(true).meta({ description: 'Let coop agents message each other (off: the coop framing of the prompt stays).' }),
      { flag: 'messaging', help: 'Let coop agents message each other (--no-messaging disables it).' },
    ),
    gitEnabled: spelled(z.boolean().default(false).meta({ description: 'Give coop agents a shared git remote.' }), { flag: 'git' }),
    autoEval: spelled(z.boolean().default(true).meta({ description: 'Evaluate each pair right after it runs.' }), {
      flag: 'auto-eval',
      help: 'Evaluate each pair when it finishes (--no-auto-eval to skip).',
    }),
    subset: unset(z.string().min(1)).meta({ description: 'Subset name: keep only the tasks of `<datasetDir>/subsets/<name>.json` (`-s, --subset`).' }),
    repo: unset(z.string().min(1)).meta({ description: 'Exact repo folder name to run, e.g. `pallets_click_task` (`-r, --repo`).' }),
    taskId: unset(z.int().min(0)).meta({ description: 'Task id to run, e.g. `2068` (`-t, --task`); `0` selects task 0.' }),
    pairSize: z.int().min(2).default(2).meta({
      description:
        "Features per pair (`--agents N`): coop runs N agents, one feature each, and merges their N patches; solo gives all N features to one agent. With more than 2, a subset's pair lists do not apply: every N features of its tasks run as a pair.",
    }),
    features: unset(z.array(z.int().min(0)).min(1)).meta({
      description: 'Feature ids to pair (`-f, --features A,B`), sorted ascending; an id given twice is refused.',
    }),
    runName: unset(z.string().min(1).regex(FOLDER_NAME)).meta({
      patternErrorMessage: 'must be a folder name: no / or \\ or control characters, not . or ..',
      description:
        'Run name = folder under `logDir` (`-n, --name`), at most 255 bytes (UTF-8). When absent it is generated from setting, agent, model and the subset, repo and task filters (not the features, as in the reference).',
    }),
    modelBaseUrl: spelled(
      unset(z.string().min(1)).meta({
        description:
          'Base URL of an OpenAI-compatible server (vLLM, Ollama, a LiteLLM proxy) the model is called at; the client then speaks the Chat Completions API.',
      }),
      {
        flag: 'model-base-url',
        env: 'COOPERBENCH_MODEL_BASE_URL',
        helpValue: 'URL',
        help: 'Base URL of an OpenAI-compatible server (vLLM, Ollama, LiteLLM proxy) to call the model at.',
      },
    ),
    agentConfig: spelled(
      unset(z.string().min(1)).meta({
        description: "Path of a YAML file forwarded to the agent adapter. Its digest is part of the run's configuration fingerprint.",
      }),
      { flag: 'agent-config', helpValue: 'FILE', help: 'YAML/JSON file of agent options.' },
    ),
    testTimeoutSeconds: spelled(
      z.number().gt(0).default(600).meta({ description: 'Timeout of each test run during evaluation, in seconds; on expiry the feature fails.' }),
      { flag: 'test-timeout', env: 'COOPERBENCH_TEST_TIMEOUT', help: 'Seconds one test run may take before it is killed and counted as failed.' },
    ),
    agentTimeoutSeconds: spelled(
      unset(z.number().gt(0)).meta({
        description: 'Whole-agent wall-clock limit in seconds (null: none). Reaching it ends the agent with status LimitsExceeded.',
      }),
      { flag: 'agent-timeout', help: 'Whole-agent wall-clock limit in seconds (LimitsExceeded when hit).' },
    ),
    stepLimit: spelled(z.int().min(0).default(100).meta({ description: 'Model calls per agent before it stops with status LimitsExceeded (0: no limit).' }), {
      flag: 'step-limit',
      help: 'Agent step limit: model calls per agent (0: no limit).',
    }),
    costLimit: spelled(z.number().min(0).default(3).meta({ description: 'Cost per agent in USD before it stops with status LimitsExceeded (0: no limit).' }), {
      flag: 'cost-limit',
      help: 'Agent cost limit in USD (0: no limit).',
    }),
    image: z
      .strictObject({
        namespace: spelled(
          z
            .string()
            .min(1)
            .default(DEFAULT_IMAGE_NAMESPACE)
            .meta({ description: 'Registry namespace of the task images (Docker Hub account or registry/path).' }),
          { flag: 'image-namespace', help: 'Namespace of task images.' },
        ),
        template: spelled(
          z.string().min(1).regex(IMAGE_TEMPLATE).default(DEFAULT_IMAGE_TEMPLATE).meta({
            patternErrorMessage: 'may only use the placeholders {namespace}, {slug}, {repo} and {taskId}',
            description:
              'Image name template. Placeholders: {namespace}; {slug} (repo folder without `_task`, `_` -> `-`); {repo} (repo folder name); {taskId}.',
          }),
          { flag: 'image-template', help: 'Task image name template: {namespace} {slug} {repo} {taskId}.' },
        ),
      })
      .prefault({})
      .meta({ description: 'Task image naming.' }),
    plugins: spelled(
      z.array(z.string().min(1)).default([]).meta({
        description: 'Plugin modules to load besides installed plugins: package names, or paths (starting with `.` or `/`) relative to this file.',
      }),
      { env: 'COOPERBENCH_PLUGINS' },
    ),
    agents: optionsByName('agent'),
    backends: optionsByName('backend'),
    buses: optionsByName('message-bus', 'bus'),
    evaluators: optionsByName('evaluator'),
    settings: optionsByName('setting'),
    seats: z
      .record(
        z.string().min(1),
        z.strictObject({
          agent: z.string().min(1).optional().meta({ description: "The seat's agent by name (its options: `agents.<name>`); absent: the run's." }),
          model: z.string().min(1).optional().meta({ description: "The seat's model, LiteLLM style provider/model; absent: the run's." }),
        }),
      )
      .default({})
      .meta({
        description:
          'Per seat role of the setting (`seats.<role>`, a role `cooperbench settings` lists): its own agent and model, e.g. a strong manager with cheap workers, `{ "manager": { "model": "openai/gpt-5" } }` (`--seat manager.model=openai/gpt-5`). Seats of other roles run the run\'s agent and model.',
      }),
  })
  .meta({
    title: 'cooperbench configuration',
    description:
      'Configuration file of the cooperbench harness (cooperbench.config.*, .cooperbenchrc*, or the "cooperbench" key of package.json). Precedence: built-in defaults < this file < environment (COOPERBENCH_*) < command-line flags. Relative paths are resolved against the directory of this file.',
  })
