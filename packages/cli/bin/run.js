#!/usr/bin/env node
import { execute } from '@oclif/core'

await execute({ dir: import.meta.url })
// The command is done and its output written (stdout and stderr are synchronous on Linux for
// files and pipes): exit now, so a timer leaked by a plugin cannot keep the process alive.
process.exit()
