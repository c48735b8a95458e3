#!/usr/bin/env node
// This file must parse and run on every Node a user may have: only the version check below may
// run before it, so no static import of anything newer than Node 18 (`enableCompileCache` is 22.1+).
import nodeModule from 'node:module'

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`error: cooperbench needs Node ≥ 22.12 (this is Node ${process.versions.node})\n`)
  process.exit(1)
}

// A reader that stops early (`cooperbench run --help | head -1`) closes the pipe and the next write
// fails with EPIPE: the output was wanted no further, so end quietly with 0 as `git log | head` does.
// Set here, before oclif, so help and every other write are covered, not only commands' own output.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0)
    throw error
  })
}

// Node keeps the compiled code of the modules loaded from here on (oclif, the commands, the
// plugins) in its compile cache (under the temp folder, or NODE_COMPILE_CACHE), so every later
// command starts faster. Imported after the call, so that they are cached too.
nodeModule.enableCompileCache?.()
// The CLI and its plugins run as built (dist/; a linked plugin too): oclif is not to look for
// TypeScript sources, which it tries under NODE_ENV=development, warning when typescript is absent.
globalThis.oclif = { enableAutoTranspile: false, ...globalThis.oclif }
const { execute } = await import('@oclif/core')

await execute({ dir: import.meta.url })
// The command is done and its output written (stdout and stderr are synchronous on Linux for
// files and pipes): exit now, so a timer leaked by a plugin cannot keep the process alive.
process.exit()
