#!/usr/bin/env node
/**
 * Writes src/config/schema.json (the config file's JSON schema for editors and ajv) from the
 * declaration in src/config/declaration.ts, as built in dist (`pnpm build` first; build again
 * afterwards so dist/config/schema.json follows). `pnpm config:schema` runs it; a test fails
 * when the file and the declaration differ.
 */
import { renameSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { configJsonSchema } from './config-json-schema.mjs'

const target = fileURLToPath(new URL('../src/config/schema.json', import.meta.url))
writeFileSync(`${target}.tmp`, `${JSON.stringify(configJsonSchema(), null, 2)}\n`)
renameSync(`${target}.tmp`, target)
console.log(`wrote ${target}`)
