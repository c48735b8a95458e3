#!/usr/bin/env node
/**
 * Writes src/file-validators.generated.ts (ajv's standalone validators of a subset file and a
 * task's cooperbench.json) from the schemas in src/file-schemas.ts, as built in dist (`pnpm build`
 * first; build again afterwards so dist follows). `pnpm dataset:validators` runs it; a test fails
 * when the file and the schemas differ.
 */
import { renameSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fileValidatorsModule } from './file-validators-code.mjs'

const target = fileURLToPath(new URL('../src/file-validators.generated.ts', import.meta.url))
writeFileSync(`${target}.tmp`, fileValidatorsModule())
renameSync(`${target}.tmp`, target)
console.log(`wrote ${target}`)
