import { Environment, Interpreter, parse, tokenize } from '@huggingface/jinja'
import { jinjaToJson, PythonSemanticsError, type PyValue, pyEquals, pyGetItem, pyLen, pySlice, pyStr, pyTruthy } from './python-values.js'

/**
 * Jinja2 templates rendered as `jinja2.Template(text, undefined=StrictUndefined).render(**vars)` renders them (no
 * `trim_blocks`/`lstrip_blocks`, one trailing newline dropped, newlines normalised to `\n`), on `@huggingface/jinja`.
 *
 * That engine parses the reference configurations' syntax but prints and filters the JavaScript way, so the parsed program is rewritten to
 * call functions with Python's semantics: `str()` printing, strict variable lookup (`is defined` still works), attribute and item access,
 * slices and `length` in code points, `join`, `first`, `last`, `reject`/`select` with Jinja2's tests, and `tojson` (HTML-safe, ASCII-only,
 * sorted `json.dumps`). Any other construct is refused at compile time ({@link compileJinja}), never rendered differently.
 */
export interface JinjaTemplate {
  render(vars: Record<string, unknown>): string
}

/** A template that cannot be compiled, or whose rendering failed (an undefined variable, a Python error). */
export class JinjaTemplateError extends Error {
  override name = 'JinjaTemplateError'
}

type Node = { type: string; [key: string]: unknown }

/** Names every Jinja2 template can use without them being passed. */
const BUILTINS = new Set(['true', 'false', 'none', 'True', 'False', 'None'])

/** Filters rewritten to Python-semantics functions: name → the function's name (`__py_<name>` unless said). */
const FILTERS: Record<string, string> = {
  ...Object.fromEntries(['tojson', 'first', 'last', 'join', 'reject', 'select', 'lower', 'upper', 'trim'].map((name) => [name, `__py_${name}`])),
  length: '__py_len',
  count: '__py_len',
  string: '__py_str',
}

/** Compiles `source` once; {@link JinjaTemplateError} for a syntax error or a construct not rendered as Jinja2 renders it. */
export function compileJinja(source: string, name = 'template'): JinjaTemplate {
  let program: Node
  try {
    program = parse(tokenize(source.replace(/\r\n?/g, '\n'), { lstrip_blocks: false, trim_blocks: false })) as unknown as Node
  } catch (error) {
    throw new JinjaTemplateError(`${name}: ${(error as Error).message}`)
  }
  const rewritten = new Rewriter(name).statement(program, new Set()) as Node
  return {
    render(vars) {
      const env = new Environment()
      for (const [key, value] of Object.entries(PYTHON_FUNCTIONS)) env.set(key, value)
      env.set('__py_var', (varName: string) => {
        if (!Object.hasOwn(vars, varName)) throw new PythonSemanticsError(`'${varName}' is undefined`)
        return vars[varName]
      })
      env.set('__py_defined', (varName: string) => Object.hasOwn(vars, varName))
      for (const builtin of BUILTINS) env.set(builtin, builtin.toLowerCase() === 'none' ? null : builtin.toLowerCase() === 'true')
      try {
        const result = new Interpreter(env).run(rewritten as never) as { value: string }
        return result.value
      } catch (error) {
        throw new JinjaTemplateError(`${name}: ${(error as Error).message}`)
      }
    },
  }
}

const call = (fn: string, args: Node[]): Node => ({ type: 'CallExpression', callee: { type: 'Identifier', value: fn }, args })
const str = (value: string): Node => ({ type: 'StringLiteral', value })
const NONE: Node = { type: 'Identifier', value: 'None' }
const not = (argument: Node): Node => ({ type: 'UnaryExpression', operator: { type: 'UnaryOperator', value: 'not' }, argument })

/** Rewrites the parsed program; `bound` holds the names a `for` or `set` defined in scope. */
class Rewriter {
  constructor(private readonly name: string) {}

  statement(node: Node, bound: Set<string>): Node {
    switch (node.type) {
      case 'Program':
        return { ...node, body: this.block(node.body as Node[], bound) }
      case 'If':
        return {
          ...node,
          test: this.expr(node.test as Node, bound),
          body: this.block(node.body as Node[], bound),
          alternate: this.block(node.alternate as Node[], bound),
        }
      case 'For': {
        const inner = new Set([...bound, 'loop', ...this.targets(node.loopvar as Node)])
        return {
          ...node,
          iterable: this.expr(node.iterable as Node, bound),
          body: this.block(node.body as Node[], inner),
          defaultBlock: this.block((node.defaultBlock as Node[] | undefined) ?? [], bound),
        }
      }
      case 'Set': {
        for (const target of this.targets(node.assignee as Node)) bound.add(target)
        return { ...node, value: node.value ? this.expr(node.value as Node, bound) : node.value, body: this.block((node.body as Node[]) ?? [], bound) }
      }
      case 'Comment':
        return node
      default:
        // An expression printed by {{ … }}: Python's str() of it.
        if (node.type === 'StringLiteral') return node
        return call('__py_str', [this.expr(node, bound)])
    }
  }

  private block(nodes: Node[], bound: Set<string>): Node[] {
    return nodes.map((n) => this.statement(n, bound))
  }

  private targets(node: Node): string[] {
    if (node.type === 'Identifier') return [node.value as string]
    if (node.type === 'TupleLiteral') return (node.value as Node[]).flatMap((n) => this.targets(n))
    throw this.unsupported(`assignment to ${node.type}`)
  }

  /** An expression rewritten; a kind of node not handled here (a statement, a call, a macro…) is refused. */
  expr(node: Node, bound: Set<string>): Node {
    switch (node.type) {
      case 'Identifier': {
        const name = node.value as string
        if (bound.has(name) || BUILTINS.has(name)) return node
        return call('__py_var', [str(name)])
      }
      case 'StringLiteral':
      case 'IntegerLiteral':
      case 'FloatLiteral':
        return node
      case 'ArrayLiteral':
      case 'TupleLiteral':
        return { ...node, value: (node.value as Node[]).map((n) => this.expr(n, bound)) }
      case 'MemberExpression':
        return this.member(node, bound)
      case 'BinaryExpression':
        return this.binary(node, bound)
      case 'UnaryExpression':
        return { ...node, argument: this.expr(node.argument as Node, bound) }
      case 'Ternary':
        return {
          ...node,
          condition: this.expr(node.condition as Node, bound),
          trueExpr: this.expr(node.trueExpr as Node, bound),
          falseExpr: this.expr(node.falseExpr as Node, bound),
        }
      case 'FilterExpression':
        return this.filter(node, bound)
      case 'TestExpression':
        return this.test(node, bound)
      default:
        throw this.unsupported(node.type === 'CallExpression' ? 'calls (methods, functions, macros)' : node.type)
    }
  }

  private member(node: Node, bound: Set<string>): Node {
    const object = this.expr(node.object as Node, bound)
    const property = node.property as Node
    if (!node.computed) return call('__py_getattr', [object, str(property.value as string)])
    if (property.type === 'SliceExpression') {
      const part = (key: string) => (property[key] ? this.expr(property[key] as Node, bound) : NONE)
      return call('__py_slice', [object, part('start'), part('stop'), part('step')])
    }
    return call('__py_getitem', [object, this.expr(property, bound)])
  }

  private binary(node: Node, bound: Set<string>): Node {
    const operator = (node.operator as Node).value as string
    const left = this.expr(node.left as Node, bound)
    const right = this.expr(node.right as Node, bound)
    // Python's ==, != and `in` compare values (lists, 1 == 1.0), not references.
    if (operator === '!=') return call('__py_ne', [left, right])
    if (operator === '==') return not(call('__py_ne', [left, right]))
    if (operator === 'in') return call('__py_in', [left, right])
    if (operator === 'not in') return not(call('__py_in', [left, right]))
    if (operator === '~') return call('__py_concat', [left, right])
    return { ...node, left, right }
  }

  private filter(node: Node, bound: Set<string>): Node {
    const operand = this.expr(node.operand as Node, bound)
    const filter = node.filter as Node
    const name = (filter.type === 'CallExpression' ? (filter.callee as Node).value : filter.value) as string
    const fn = FILTERS[name]
    if (fn === undefined) throw this.unsupported(`filter '${name}'`)
    const args = filter.type === 'CallExpression' ? (filter.args as Node[]) : []
    for (const arg of args) if (arg.type === 'KeywordArgumentExpression') throw this.unsupported(`keyword arguments of filter '${name}'`)
    return call(fn, [operand, ...args.map((a) => this.expr(a, bound))])
  }

  private test(node: Node, bound: Set<string>): Node {
    const test = node.test as Node
    const name = (test.type === 'CallExpression' ? (test.callee as Node).value : test.value) as string
    const operand = node.operand as Node
    let checked: Node
    if ((name === 'defined' || name === 'undefined') && operand.type === 'Identifier' && !bound.has(operand.value as string)) {
      checked = call('__py_defined', [str(operand.value as string)])
      if (name === 'undefined') checked = not(checked)
    } else {
      if (!(name in TESTS)) throw this.unsupported(`test '${name}'`)
      const args = test.type === 'CallExpression' ? (test.args as Node[]).map((a) => this.expr(a, bound)) : []
      checked = call('__py_test', [str(name), this.expr(operand, bound), ...args])
    }
    return node.negate ? not(checked) : checked
  }

  private unsupported(what: string): JinjaTemplateError {
    return new JinjaTemplateError(`${this.name}: ${what} cannot be rendered here exactly as Jinja2 renders it`)
  }
}

/** Jinja2's tests by name (`equalto` and its aliases, comparisons, types). */
const TESTS: Record<string, (value: PyValue, ...args: PyValue[]) => boolean> = {
  equalto: (a, b) => pyEquals(a, b as PyValue),
  eq: (a, b) => pyEquals(a, b as PyValue),
  '==': (a, b) => pyEquals(a, b as PyValue),
  sameas: (a, b) => a === b,
  ne: (a, b) => !pyEquals(a, b as PyValue),
  '!=': (a, b) => !pyEquals(a, b as PyValue),
  none: (a) => a === null,
  string: (a) => typeof a === 'string',
  number: (a) => typeof a === 'number',
  true: (a) => a === true,
  false: (a) => a === false,
  lt: (a, b) => (a as number) < (b as number),
  gt: (a, b) => (a as number) > (b as number),
  le: (a, b) => (a as number) <= (b as number),
  ge: (a, b) => (a as number) >= (b as number),
  in: (a, b) => contains(b as PyValue, a),
}

function contains(container: PyValue, item: PyValue): boolean {
  if (typeof container === 'string' && typeof item === 'string') return container.includes(item)
  if (Array.isArray(container)) return container.some((v) => pyEquals(v, item))
  if (container !== null && typeof container === 'object') return typeof item === 'string' && Object.hasOwn(container, item)
  throw new PythonSemanticsError(`argument of type '${typeof container}' is not iterable`)
}

/** The engine's values as plain ones; its None has no `.value` (undefined names never get here: `__py_var` raises first). */
function plain(value: unknown): PyValue {
  if (value === undefined) return null
  if (Array.isArray(value)) return value.map((v) => plain(runtimeValue(v)))
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [k, plain(runtimeValue(v))]))
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  return value as PyValue
}

/** An engine value object (`{ type, value }`) or already a plain value. */
function runtimeValue(value: unknown): unknown {
  return value !== null && typeof value === 'object' && 'type' in value && 'value' in value ? (value as { value: unknown }).value : value
}

function itemsOf(value: PyValue): PyValue[] {
  if (Array.isArray(value)) return value
  if (typeof value === 'string') return Array.from(value)
  if (value !== null && typeof value === 'object') return Object.keys(value)
  throw new PythonSemanticsError(`'${typeof value}' object is not iterable`)
}

function filterByTest(keep: boolean) {
  return (value: unknown, testName?: unknown, ...args: unknown[]) => {
    const items = itemsOf(plain(value))
    if (testName === undefined) return items.filter((v) => pyTruthy(v) === keep)
    const test = TESTS[String(plain(testName))]
    if (test === undefined) throw new PythonSemanticsError(`no test named '${String(testName)}'`)
    return items.filter((v) => test(v, ...args.map(plain)) === keep)
  }
}

/** Jinja2's `first` and `last` filters. */
function endItem(end: 'first' | 'last') {
  return (value: unknown) => {
    const items = itemsOf(plain(value))
    if (items.length === 0) throw new PythonSemanticsError(`${end} of an empty sequence is undefined`)
    return end === 'first' ? items[0] : items.at(-1)
  }
}

const PYTHON_FUNCTIONS: Record<string, (...args: never[]) => unknown> = {
  __py_str: (value: unknown) => pyStr(plain(value)),
  __py_tojson: (value: unknown) => jinjaToJson(plain(value)),
  __py_len: (value: unknown) => pyLen(plain(value)),
  __py_first: endItem('first'),
  __py_last: endItem('last'),
  __py_join: (value: unknown, separator?: unknown) =>
    itemsOf(plain(value))
      .map(pyStr)
      .join(separator === undefined ? '' : pyStr(plain(separator))),
  __py_reject: filterByTest(false),
  __py_select: filterByTest(true),
  __py_lower: (value: unknown) => pyStr(plain(value)).toLowerCase(),
  __py_upper: (value: unknown) => pyStr(plain(value)).toUpperCase(),
  __py_trim: (value: unknown) => pyStr(plain(value)).trim(),
  __py_getattr: (object: unknown, name: unknown) => {
    const value = plain(object)
    const key = String(name)
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, key)) return value[key]
    throw new PythonSemanticsError(`${pyStr(value === null ? 'None' : typeof value === 'object' ? 'object' : value)} has no attribute '${key}'`)
  },
  __py_getitem: (object: unknown, key: unknown) => pyGetItem(plain(object), plain(key)),
  __py_slice: (object: unknown, start: unknown, stop: unknown, step: unknown) =>
    pySlice(plain(object), plain(start) as number | null, plain(stop) as number | null, plain(step) as number | null),
  __py_ne: (a: unknown, b: unknown) => !pyEquals(plain(a), plain(b)),
  __py_in: (item: unknown, container: unknown) => contains(plain(container), plain(item)),
  __py_concat: (a: unknown, b: unknown) => pyStr(plain(a)) + pyStr(plain(b)),
  __py_test: (name: unknown, value: unknown, ...args: unknown[]) => TESTS[String(name)]!(plain(value), ...args.map(plain)),
}
