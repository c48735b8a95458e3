#!/usr/bin/env node
/**
 * Lists the functions longer than a limit: function declarations and expressions, arrow functions,
 * methods, accessors and constructors in the TypeScript sources of the workspace, longest first.
 * A function's length is the lines from its first to its last line, its nested functions included
 * (each nested function is listed on its own too), as ESLint's `max-lines-per-function` counts.
 *
 *   node scripts/long-functions.mjs [--max=60] [--json] [folder-or-file …]
 *
 * Without folders it reads `packages/<name>/src` and `packages/<name>/app/src` (the viewer's pages). Exits 0;
 * it measures, it does not judge.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SOURCE_FILE = /\.(ts|tsx|mts|cts)$/
const SKIPPED_FILE = /\.d\.ts$/

function parseArguments(argv) {
  const options = { max: 60, json: false, paths: [] }
  for (const argument of argv) {
    if (argument.startsWith('--max=')) options.max = Number(argument.slice('--max='.length))
    else if (argument === '--json') options.json = true
    else options.paths.push(argument)
  }
  if (!Number.isInteger(options.max) || options.max < 1) throw new Error(`--max wants a positive whole number, got ${argv.join(' ')}`)
  return options
}

function defaultFolders() {
  const packages = join(ROOT, 'packages')
  return readdirSync(packages).flatMap((name) => [join(packages, name, 'src'), join(packages, name, 'app', 'src')])
}

function sourceFiles(path) {
  let stat
  try {
    stat = statSync(path)
  } catch {
    return []
  }
  if (stat.isFile()) return SOURCE_FILE.test(path) && !SKIPPED_FILE.test(path) ? [path] : []
  return readdirSync(path)
    .filter((name) => name !== 'node_modules' && name !== 'dist')
    .flatMap((name) => sourceFiles(join(path, name)))
}

const nameText = (name) => (name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name)) ? name.text : undefined)

function calleeText(call, sourceFile) {
  const text = call.expression.getText(sourceFile).replace(/\s+/g, '')
  return text.length > 40 ? `${text.slice(0, 39)}…` : text
}

/** What a reader would call the function: its own name, the name it is bound to, or the call it is passed to. */
function functionName(node, sourceFile) {
  const own = nameText(node.name)
  const parent = node.parent
  const owner = parent && (ts.isClassLike(parent) || ts.isObjectLiteralExpression(parent)) ? nameText(parent.name ?? parent.parent?.name) : undefined
  if (ts.isConstructorDeclaration(node)) return `${owner ?? '(class)'}.constructor`
  if (own && (ts.isMethodDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node))) return owner ? `${owner}.${own}` : own
  if (own) return own
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return nameText(parent.name) ?? '(anonymous)'
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) return `${calleeText(parent, sourceFile)}(…) callback`
  return '(anonymous)'
}

const isMeasured = (node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isGetAccessor(node) ||
  ts.isSetAccessor(node) ||
  ts.isConstructorDeclaration(node)

function functionsOf(file) {
  const text = readFileSync(file, 'utf8')
  const kind = file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind)
  const found = []
  const visit = (node) => {
    if (isMeasured(node) && node.body) {
      const first = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1
      const last = sourceFile.getLineAndCharacterOfPosition(node.getEnd()).line + 1
      found.push({ file: relative(ROOT, file), line: first, lines: last - first + 1, name: functionName(node, sourceFile) })
    }
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  return found
}

const options = parseArguments(process.argv.slice(2))
const folders = options.paths.length > 0 ? options.paths.map((path) => join(process.cwd(), path)) : defaultFolders()
const files = folders.flatMap(sourceFiles)
const long = files
  .flatMap(functionsOf)
  .filter((fn) => fn.lines > options.max)
  .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line)

if (options.json) {
  console.log(JSON.stringify(long, null, 2))
} else {
  for (const fn of long) console.log(`${String(fn.lines).padStart(5)}  ${fn.file}:${fn.line}  ${fn.name}`)
  console.log(`${long.length} function(s) over ${options.max} lines in ${files.length} file(s)`)
}
