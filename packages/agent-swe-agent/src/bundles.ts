import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { compileJinja, type ToolSpec } from '@cooperbench/agent-mini-swe'
import { CooperbenchError, errorMessage } from '@cooperbench/spec'
import { parsePythonFormat } from '@cooperbench/spec-utils/host'
import { parse as parseYaml } from 'yaml'

/** A tool the model may call: SWE-agent's `Command`, with its `invoke_format` parsed. */
export type ToolCommand = ReturnType<typeof toolCommand>

/** A tool bundle: its commands, its state command, and its files as SWE-ReX uploads them (the whole folder). */
export type ToolBundle = ReturnType<typeof readBundle>

/** SWE-agent's `ARGUMENT_NAME_PATTERN`, matched at the start of a name as `re.match` does. */
const ARGUMENT_NAME = /^[a-zA-Z_][a-zA-Z0-9_-]*/
const PLACEHOLDER = /\[?<([a-zA-Z_][a-zA-Z0-9_-]*)>\]?/g

type Raw = Record<string, unknown>

/**
 * Reads a configuration's bundle (`{path, hidden_tools}`) as SWE-agent 1.1's `Bundle` does (`path` under `root`, its
 * `config.yaml` as PyYAML reads it); CONFIG_INVALID for what it would refuse.
 */
export function readBundle(entry: Raw, root: string | null) {
  const path = String(entry['path'] ?? '')
  if (root === null && !path.startsWith('/')) {
    throw invalid(`the bundle path ${path} is relative, and the agent option config_root is not set`, ROOT_HINT)
  }
  const dir = resolve(root ?? '/', path)
  let config: Raw
  try {
    config = (parseYaml(readFileSync(join(dir, 'config.yaml'), 'utf8'), { version: '1.1' }) ?? {}) as Raw
  } catch (error) {
    throw invalid(`the bundle ${path} has no readable config.yaml at ${dir} (${errorMessage(error)})`, ROOT_HINT)
  }
  const tools = config['tools']
  if (tools === null || typeof tools !== 'object' || Array.isArray(tools)) throw invalid(`${dir}/config.yaml has no \`tools:\` mapping`)
  const hidden = (entry['hidden_tools'] ?? []) as string[]
  const unknown = hidden.filter((name) => !Object.hasOwn(tools, name))
  if (unknown.length > 0) throw invalid(`the bundle ${path} hides tools it does not have: ${unknown.join(', ')}`)
  const stateCommand = config['state_command']
  return {
    // The folder's name: the bundle is installed at `<root>/tools/<name>`.
    name: basename(dir),
    /** Where it is on this machine. */
    dir,
    commands: Object.entries(tools as Raw)
      .filter(([name]) => !hidden.includes(name))
      .map(([name, raw]) => toolCommand(name, (raw ?? {}) as Raw, `tool ${name} of ${dir}/config.yaml`)),
    stateCommand: typeof stateCommand === 'string' && stateCommand !== '' ? stateCommand : null,
    files: filesOf(dir),
  }
}

/** A command as SWE-agent's `Command` validates it: arguments in order, in the signature, required ones first. */
export function toolCommand(name: string, raw: Raw, where: string) {
  if (raw['end_name'] !== undefined && raw['end_name'] !== null) throw invalid(`${where} is a multi-line command (end_name), which is not supported here`)
  if (!Object.hasOwn(raw, 'docstring')) throw invalid(`${where} has no docstring (SWE-agent requires the key)`)
  const args = ((raw['arguments'] ?? []) as Raw[]).map((arg) => toolArgument(arg, where))
  const signature = typeof raw['signature'] === 'string' && raw['signature'] !== '' ? raw['signature'] : null
  args.forEach((arg, i) => {
    if (!ARGUMENT_NAME.test(arg.name)) throw invalid(`${where}: invalid argument name '${arg.name}'`)
    if (arg.required && args.slice(0, i).some((before) => !before.required)) throw invalid(`${where}: required argument '${arg.name}' after optional ones`)
    if (args.findIndex((other) => other.name === arg.name) !== i) throw invalid(`${where}: duplicate argument '${arg.name}'`)
    const shown = [`<${arg.name}>`, `[<${arg.name}>]`, `{${arg.name}}`, `--${arg.name}`]
    if (signature !== null && !shown.some((form) => signature.includes(form))) throw invalid(`${where}: argument ${arg.name} missing in its signature`)
  })
  const invokeFormat = signature !== null ? signature.replace(PLACEHOLDER, '{$1}') : `${name} ${args.map((arg) => `{${arg.name}} `).join('')}`
  const invoke = parsePythonFormat(invokeFormat, `the invoke format of ${where}`)
  const fields = new Set(invoke.flatMap((piece) => ('field' in piece ? [piece.field] : [])))
  if (fields.size !== args.length || !args.every((arg) => fields.has(arg.name))) throw invalid(`${where}: its signature's fields do not match its arguments`)
  const docstring = raw['docstring']
  return { name, docstring: typeof docstring === 'string' ? docstring : null, arguments: args, invoke }
}

/** One argument of a tool, as SWE-agent's `Argument` reads it from a bundle's `config.yaml`. */
function toolArgument(raw: Raw, where: string) {
  for (const key of ['name', 'type', 'description', 'required']) if (raw[key] === undefined) throw invalid(`${where}: an argument has no ${key}`)
  const items = raw['items']
  const values = raw['enum']
  const format = typeof raw['argument_format'] === 'string' ? raw['argument_format'] : '{{value}}'
  return {
    name: String(raw['name']),
    type: String(raw['type']),
    items: items && typeof items === 'object' ? (items as Record<string, string>) : null,
    description: String(raw['description']),
    required: raw['required'] === true,
    enum: Array.isArray(values) ? values.map(String) : null,
    // `argument_format` (Jinja2, `{{value}}` by default): how the value is written into the command.
    format: compileJinja(format, `argument_format of ${raw['name']} (${where})`),
  }
}

/** The function-calling tool definition SWE-agent derives from a command (`Command.get_function_calling_tool`). */
export function toolSpec(command: ToolCommand): ToolSpec {
  const properties: Record<string, Record<string, unknown>> = {}
  for (const arg of command.arguments) {
    properties[arg.name] = {
      type: arg.type,
      description: arg.description,
      ...(arg.items && Object.keys(arg.items).length > 0 ? { items: arg.items } : {}),
      ...(arg.enum && arg.enum.length > 0 ? { enum: arg.enum } : {}),
    }
  }
  const required = command.arguments.filter((arg) => arg.required).map((arg) => arg.name)
  return { name: command.name, description: command.docstring ?? '', parameters: { type: 'object', properties, required } }
}

/** Every file under `dir`, by its path relative to it. */
function filesOf(dir: string): Array<{ path: string; data: Buffer }> {
  const paths = (readdirSync(dir, { recursive: true }) as string[]).map((p) => join(dir, p)).filter((p) => statSync(p).isFile())
  return paths.sort().map((p) => ({ path: relative(dir, p), data: readFileSync(p) }))
}

const ROOT_HINT =
  "Set the agent option config_root to the folder holding upstream's tools/ (src/cooperbench/agents/swe_agent of a CooperBench checkout), " +
  'e.g. agents.swe_agent.config_root in cooperbench.config.json; see docs/reproducing-the-paper.md#swe_agent'

function invalid(message: string, hint = 'Fix the tool bundle, or use the bundles of upstream CooperBench as they are.'): CooperbenchError {
  return new CooperbenchError('CONFIG_INVALID', message, { hint })
}
