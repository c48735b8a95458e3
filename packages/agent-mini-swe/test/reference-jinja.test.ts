import { describe, expect, it } from 'vitest'
import { compileJinja, JinjaTemplateError } from '../src/reference/jinja.js'
import { jinjaToJson, pyFloat, pyRepr } from '../src/reference/python-values.js'
import { jinjaProblem, runPython } from './system-jinja.js'

const renderJinja = (source: string, vars: Record<string, unknown>, name?: string): string => compileJinja(source, name).render(vars)

/**
 * Our own templates, written with every construct the reference's configurations use (and a few
 * neighbours), rendered here and by Python's Jinja2 with the same variables and the reference's
 * settings (`Template(text, undefined=StrictUndefined)`): the outputs must be the same bytes.
 */
const CORPUS: Array<[string, string]> = [
  ['whitespace control', 'A\n\n{%- if system == "Darwin" -%}\n<mac>\n{%- endif -%}\n\nB {{ agent_id }}\n'],
  ['reject/join/first', "{{ agents | reject('equalto', agent_id) | join(', ') }}|{{ agents | reject('equalto', agent_id) | first }}"],
  ['length and arithmetic', '{{ output.output | length }} {{ output.output | length - 10 }} {{ agents | length }}'],
  ['tojson escapes', '{{ output.output | tojson }}'],
  ['slices', '{{ output.output[:5] | tojson }}|{{ output.output[-5:] | tojson }}|{{ output.output[2:-2] }}'],
  ['if/else on a comparison', '{% if output.output | length < 12 %}short{% else %}long{% endif %}'],
  ['Python values', '{{ none_value }} {{ flag }} {{ agents }} {{ output.returncode }} {{ mapping }} {{ ratio }}'],
  ['is defined', '{% if missing is defined %}yes{% else %}no{% endif %}{% if agent_id is not none %} set{% endif %}'],
  ['trailing newline dropped once', 'x\n\n'],
  ['for loop', '{% for a in agents %}{{ loop.index }}:{{ a }}{% if not loop.last %},{% endif %}{% endfor %}'],
  ['in and not in', "{{ 'agent1' in agents }} {{ 'x' not in agents }} {{ 'll' in output.output }}"],
  ['string concatenation', "{{ agent_id ~ '/' ~ output.returncode }}"],
  ['else branch with falsy list', '{% if empty %}has{% else %}empty{% endif %}'],
  ['exception info', '{%- if output.exception_info %}, "exception_info": {{ output.exception_info | tojson }}{% endif %}'],
]

const VARS = {
  agent_id: 'agent1',
  agents: ['agent1', 'agent2', 'agént3'],
  system: 'Linux',
  none_value: null,
  flag: true,
  ratio: 0.1,
  empty: [],
  mapping: { b: 1, a: "it's" },
  output: { output: "héllo <b>&'x'\"\u2028 😀\ttab\u0001\n", returncode: 0, exception_info: 'boom <x>' },
}

function renderWithPython(templates: string[], vars: unknown): string[] {
  const script = [
    'import json, sys, jinja2',
    'data = json.load(sys.stdin)',
    'print(json.dumps([jinja2.Template(t, undefined=jinja2.StrictUndefined).render(**data["vars"]) for t in data["templates"]]))',
  ].join('\n')
  return runPython<string[]>(['-c', script], { templates, vars })
}

const skipped = jinjaProblem === null ? '' : ` (skipped: ${jinjaProblem})`

describe('Jinja2 templates as the reference renders them', () => {
  it.skipIf(jinjaProblem !== null)(`renders our corpus byte for byte as Python's Jinja2 does${skipped}`, () => {
    const expected = renderWithPython(
      CORPUS.map(([, t]) => t),
      VARS,
    )
    for (const [i, [name, template]] of CORPUS.entries()) expect(renderJinja(template, VARS, name), name).toBe(expected[i])
  })

  it.skipIf(jinjaProblem !== null)(`turns Python's values into text as Python does (repr, floats, tojson)${skipped}`, () => {
    const values = [null, true, 3, -0.5, 1e-5, 1.5e16, 123.456, 'a\'b"c\n\x7f\u2028é😀', [1, 'x', null], { z: [true], a: 'q' }]
    const script = [
      'import json, sys, jinja2',
      "tojson = jinja2.Template('{{ v | tojson }}')",
      'print(json.dumps([[repr(v), tojson.render(v=v)] for v in json.load(sys.stdin)]))',
    ].join('\n')
    const expected = runPython<Array<[string, string]>>(['-c', script], values)
    for (const [i, value] of values.entries()) {
      expect(pyRepr(value as never), JSON.stringify(value)).toBe(expected[i]![0])
      expect(jinjaToJson(value as never), JSON.stringify(value)).toBe(expected[i]![1])
    }
  })

  it('raises on an undefined variable where it is used, not where it is guarded', () => {
    expect(() => renderJinja('{{ nowhere }}', {})).toThrow(/'nowhere' is undefined/)
    expect(() => renderJinja('{% if nowhere %}x{% endif %}', {})).toThrow(/'nowhere' is undefined/)
    expect(renderJinja('{% if flag %}{{ nowhere }}{% endif %}ok', { flag: false })).toBe('ok')
    expect(() => renderJinja('{{ output.missing }}', { output: {} })).toThrow(/no attribute 'missing'/)
  })

  it('refuses, when compiling, a construct it cannot render exactly', () => {
    expect(() => compileJinja('{{ task.strip() }}', 'instance_template')).toThrow(JinjaTemplateError)
    expect(() => compileJinja('{{ task | wordwrap(20) }}', 'instance_template')).toThrow(/filter 'wordwrap' cannot be rendered here/)
    expect(() => compileJinja('{% macro m() %}x{% endmacro %}', 'instance_template')).toThrow(/cannot be rendered here/)
    expect(() => compileJinja('{% if %}', 'instance_template')).toThrow(JinjaTemplateError)
  })

  it("prints floats with Python's exponent rules", () => {
    expect([0.1, 1e-5, 1e16, 2.5, 1e-4, 123456789.125].map(pyFloat)).toEqual(['0.1', '1e-05', '1e+16', '2.5', '0.0001', '123456789.125'])
  })
})
