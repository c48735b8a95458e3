#!/usr/bin/env node
import { enableCompileCache } from 'node:module'

// Node keeps the compiled code of the modules loaded from here on (oclif, the commands, the
// plugins) in its compile cache (under the temp folder, or NODE_COMPILE_CACHE), so every later
// command starts faster. Imported after the call, so that they are cached too.
enableCompileCache?.()
const { execute } = await import('@oclif/core')

await execute({ dir: import.meta.url })
// The command is done and its output written (stdout and stderr are synchronous on Linux for
// files and pipes): exit now, so a timer leaked by a plugin cannot keep the process alive.
process.exit()
