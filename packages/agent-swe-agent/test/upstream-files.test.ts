import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { MemoryBus } from '@cooperbench/builtins'
import { describe, expect, it } from 'vitest'
import { agentWith, call, fakeSandbox, runContext, scriptedModel } from './support/fakes.js'
import { UPSTREAM_DIR, UPSTREAM_MISSING, upstreamOptions } from './support/upstream.js'

/**
 * What the model is sent first, with upstream's own `config/coop.yaml` and `config/default.yaml`
 * and bundles: the system and instance messages as Python's Jinja2 renders them (Debian's
 * python3-jinja2 and PyYAML, for /usr/bin/python3) with the values SWE-agent's `_get_format_dict`
 * passes after upstream's adapter replaced `{{working_dir}}`; the tools as SWE-agent's
 * `Command.get_function_calling_tool` derives them from the bundles' `config.yaml` (its rule written
 * out below in Python, over PyYAML's reading of the files; SWE-agent's own code gave the same
 * bytes by hand: docs/reproducing-the-paper.md#swe_agent).
 */
const PYTHON = '/usr/bin/python3'
const probe = spawnSync(PYTHON, ['-c', 'import jinja2, yaml'], { encoding: 'utf8' })
const PYTHON_MISSING = probe.status === 0 ? false : `${PYTHON} with jinja2 and yaml is needed (apt-get install python3-jinja2 python3-yaml)`
const skip = UPSTREAM_MISSING || PYTHON_MISSING

const RENDER = `
import json, sys, yaml, jinja2
d = json.load(sys.stdin)
agent = yaml.safe_load(open(d["file"]))["agent"]
t = agent["templates"]
for key in ("system_template", "instance_template"):
    t[key] = t[key].replace("{{working_dir}}", "/workspace/repo")
fmt = dict(**agent["tools"]["env_variables"], problem_statement=d["task"], repo="", **d["run"])
system = jinja2.Template(t["system_template"]).render(**fmt)
instance = jinja2.Template(t["instance_template"]).render(**fmt, working_dir="/workspace/repo")
bash = {"name": "bash", "docstring": "runs the given command directly in bash",
        "arguments": [{"name": "command", "type": "string", "description": "The bash command to execute.", "required": True}]}
commands = [bash]
for bundle in agent["tools"]["bundles"]:
    tools = yaml.safe_load(open(d["root"] + "/" + bundle["path"] + "/config.yaml"))["tools"]
    commands += [dict(tool, name=name) for name, tool in tools.items()]
def function_calling_tool(command):
    properties, required = {}, []
    for arg in command.get("arguments", []):
        properties[arg["name"]] = {"type": arg["type"], "description": arg["description"]}
        if arg.get("items"):
            properties[arg["name"]]["items"] = arg["items"]
        if arg["required"]:
            required.append(arg["name"])
        if arg.get("enum"):
            properties[arg["name"]]["enum"] = arg["enum"]
    return {"type": "function", "function": {"name": command["name"], "description": command["docstring"] or "",
            "parameters": {"type": "object", "properties": properties, "required": required}}}
print(json.dumps({"system": system, "instance": instance, "tools": [function_calling_tool(c) for c in commands]}))
`

interface Expected {
  system: string
  instance: string
  tools: unknown[]
}

function pythonRendering(file: string, task: string, run: Record<string, unknown>): Expected {
  const input = JSON.stringify({ file: join(UPSTREAM_DIR, 'config', file), root: UPSTREAM_DIR, task, run })
  const result = spawnSync(PYTHON, ['-c', RENDER], { input, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as Expected
}

/** A real feature.md of the demo dataset: markdown, code, quotes, backticks. */
const TASK = readFileSync(join(import.meta.dirname, '../../../dataset/confkit_task/task5/feature1/feature.md'), 'utf8')

/** The first request of one agent: its messages' texts and its tools on the wire's shape. */
async function firstRequest(file: 'coop' | 'default', overrides: Parameters<typeof runContext>[1]) {
  const model = scriptedModel([call('submit'), call('submit')])
  const sandbox = fakeSandbox((command) => (command === 'submit' ? { stdout: '<<SWE_AGENT_SUBMISSION>>\n\n<<SWE_AGENT_SUBMISSION>>\n' } : {}), {
    '/root/model.patch': '',
  })
  const result = await agentWith(model).run(runContext(upstreamOptions(file), { instructions: TASK, sandbox, ...overrides }))
  expect(result.status).toBe('Submitted')
  const request = model.requests[0]!
  const tools = request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }))
  return { system: request.messages[0]!.content, instance: request.messages[1]!.content, tools, roles: request.messages.map((m) => m.role) }
}

describe.skipIf(skip)(`upstream's configuration files, first request${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('coop.yaml: each agent of a pair with messaging and the shared remote gets the messages Jinja2 renders and the bundles’ four tools', async () => {
    const bus = new MemoryBus()
    for (const agentId of ['agent1', 'agent2']) {
      const peer = agentId === 'agent1' ? 'agent2' : 'agent1'
      const mailbox = await bus.open('run:upstream-files', agentId, [peer])
      const git = { remote: 'team', url: '/cooperbench/team.git' }
      const ours = await firstRequest('coop', { agentId, peers: [peer], mailbox, git })
      const run = { agent_id: agentId, agents: ['agent1', 'agent2'], messaging_enabled: true, git_enabled: true }
      const expected = pythonRendering('coop.yaml', TASK, run)
      expect(ours.system).toBe(expected.system)
      expect(ours.instance).toBe(expected.instance)
      expect(JSON.stringify(ours.tools)).toBe(JSON.stringify(expected.tools))
      expect(ours.tools.map((t) => t.function.name)).toEqual(['bash', 'str_replace_editor', 'submit', 'send_message'])
      expect(ours.roles).toEqual(['system', 'user'])
    }
  })

  it('coop.yaml without messaging or the remote renders its plain branches, as Jinja2 does', async () => {
    const ours = await firstRequest('coop', { agentId: 'agent2', peers: ['agent1'] })
    const expected = pythonRendering('coop.yaml', TASK, { agent_id: 'agent2', agents: ['agent1', 'agent2'], messaging_enabled: false, git_enabled: false })
    expect([ours.system, ours.instance]).toEqual([expected.system, expected.instance])
  })

  it('default.yaml in solo: the messages Jinja2 renders, and bash, str_replace_editor and submit', async () => {
    const ours = await firstRequest('default', {})
    const expected = pythonRendering('default.yaml', TASK, { agent_id: 'solo', agents: [], messaging_enabled: false, git_enabled: false })
    expect([ours.system, ours.instance]).toEqual([expected.system, expected.instance])
    expect(JSON.stringify(ours.tools)).toBe(JSON.stringify(expected.tools))
    expect(ours.tools.map((t) => t.function.name)).toEqual(['bash', 'str_replace_editor', 'submit'])
  })
})
