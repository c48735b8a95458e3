import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseToolCalls, readSweAgentConfig } from '../src/index.js'
import { UPSTREAM_DIR, UPSTREAM_MISSING, upstreamOptions } from './support/upstream.js'

/**
 * Tool calls become the command lines SWE-agent 1.1's `FunctionCallingParser` makes of them:
 * checked against SWE-agent's rule (`_parse_tool_call`) written out in Python over PyYAML's
 * reading of upstream's bundles, with Python's own `shlex.quote`, Jinja2 (`argument_format`),
 * `str.format` (`invoke_format`) and `str.strip`. (By hand, SWE-agent's own parser on the same
 * corpus gave the same 40 results: docs/reproducing-the-paper.md#swe_agent.)
 */
const PYTHON = '/usr/bin/python3'
const probe = spawnSync(PYTHON, ['-c', 'import jinja2, yaml'], { encoding: 'utf8' })
const skip = UPSTREAM_MISSING || (probe.status === 0 ? false : `${PYTHON} with jinja2 and yaml is needed`)

const PARSE = `
import json, re, shlex, sys, yaml, jinja2
d = json.load(sys.stdin)
agent = yaml.safe_load(open(d["file"]))["agent"]
commands = {"bash": {"name": "bash", "signature": "<command>", "arguments": [{"name": "command", "required": True}]}}
for bundle in agent["tools"]["bundles"]:
    for name, tool in yaml.safe_load(open(d["root"] + "/" + bundle["path"] + "/config.yaml"))["tools"].items():
        commands[name] = dict(tool, name=name)
def invoke_format(command):
    if command.get("signature"):
        return re.sub(r"\\[?<([a-zA-Z_][a-zA-Z0-9_-]*)>\\]?", r"{\\1}", command["signature"])
    return command["name"] + " " + "".join("{%s} " % a["name"] for a in command.get("arguments", []))
def parse(call):
    command = commands.get(call["name"])
    if command is None:
        return {"error": "invalid_command"}
    try:
        values = json.loads(call["arguments"])
    except json.JSONDecodeError:
        return {"error": "invalid_json"}
    args = command.get("arguments", [])
    if {a["name"] for a in args if a["required"]} - values.keys():
        return {"error": "missing_arg"}
    if set(values) - {a["name"] for a in args}:
        return {"error": "unexpected_arg"}
    def quoted(value):
        if isinstance(value, str):
            return value if command["name"] == "bash" else shlex.quote(value)
        return "" if value is None else value
    fields = {a["name"]: jinja2.Template(a.get("argument_format", "{{value}}")).render(value=quoted(values[a["name"]]))
              if a["name"] in values else "" for a in args}
    return {"action": invoke_format(command).format(**fields).strip()}
print(json.dumps([parse(c) for c in d["calls"]]))
`

const CALLS: Array<[string, unknown]> = [
  ['str_replace_editor', { command: 'create', path: '/workspace/repo/a b.py', file_text: 'it\'s "q"\nline2 $HOME `x`\n' }],
  ['str_replace_editor', { command: 'view', path: '/workspace/repo', view_range: [1, -1] }],
  ['str_replace_editor', { command: 'str_replace', path: '/workspace/repo/x.py', old_str: 'a = 1', new_str: '' }],
  ['str_replace_editor', { command: 'insert', path: '/p', insert_line: 3, new_str: 'x\ty é 😀' }],
  ['str_replace_editor', { command: 'view', path: '/p', new_str: null }],
  ['str_replace_editor', { command: 'view' }],
  ['str_replace_editor', { command: 'view', path: '/p', bogus: 1 }],
  ['str_replace_editor', '{not json'],
  ['no_such_tool', {}],
  ['bash', { command: '  cd /workspace/repo && ls -la  \n' }],
  ['submit', {}],
  ['send_message', { recipient: 'agent2', message: 'I\'ll take utils.py; you "own" cli.py' }],
  ['send_message', { recipient: 'agent2', message: 'plain' }],
]

describe.skipIf(skip)(`tool calls as SWE-agent's function-calling parser reads them${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it("makes the command line (or the error) SWE-agent's rule makes of each call, with coop.yaml's bundles", () => {
    const calls = CALLS.map(([name, args]) => ({ name, arguments: typeof args === 'string' ? args : JSON.stringify(args) }))
    const input = JSON.stringify({ file: join(UPSTREAM_DIR, 'config', 'coop.yaml'), root: UPSTREAM_DIR, calls })
    const python = spawnSync(PYTHON, ['-c', PARSE], { input, encoding: 'utf8' })
    expect(python.status, python.stderr).toBe(0)
    const { commands } = readSweAgentConfig(upstreamOptions('coop'))
    const ours = calls.map((c, i) => {
      const parsed = parseToolCalls('thinking', [{ id: `c${i}`, ...c }], commands)
      return 'code' in parsed ? { error: parsed.code } : { action: parsed.action }
    })
    expect(ours).toEqual(JSON.parse(python.stdout))
    expect(ours[0]).toEqual({ action: `str_replace_editor create '/workspace/repo/a b.py' --file_text 'it'"'"'s "q"\nline2 $HOME \`x\`\n'` })
  })

  it('asks for exactly one tool call, naming how many came, as SWE-agent does', () => {
    const { commands } = readSweAgentConfig(upstreamOptions('default'))
    const submit = { id: 'a', name: 'submit', arguments: '{}' }
    expect(parseToolCalls('hm', [], commands)).toMatchObject({
      code: 'missing',
      message: 'Expected exactly one tool call in model response - received 0 tool calls with message: hm',
    })
    expect(parseToolCalls('hm', [submit, { ...submit, id: 'b' }], commands)).toMatchObject({ code: 'multiple', extra: { num_tools: 2 } })
    expect(parseToolCalls('hm', [{ ...submit, name: 'send_message' }], commands)).toMatchObject({
      code: 'invalid_command',
      message: "Command 'send_message' not found in list of available commands.",
    })
  })
})
