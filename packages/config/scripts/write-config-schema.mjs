#!/usr/bin/env node
/**
 * Writes src/schema.json (the config file's JSON schema for editors and ajv) from the
 * declaration in src/declaration.ts, as built in dist, and src/schema-validator.generated.ts
 * (ajv's standalone validator of that schema) from it, and src/meta-schema-validator.generated.ts
 * (ajv's check of plugins' option schemas), and src/declared-keys.generated.ts (each key's kind,
 * bounds, default and spellings, and the defaults, as data) (`pnpm build` first; build again afterwards so dist
 * follows). `pnpm config:schema` runs it; a test fails when the files and the declaration differ.
 */
import { renameSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import { configJsonSchema } from './config-json-schema.mjs'
import { configValidatorModule } from './config-validator-code.mjs'
import { declaredKeysModule } from './declared-keys-code.mjs'
import { metaSchemaValidatorModule } from './meta-schema-validator-code.mjs'

function writeAtomic(relative, text) {
  const target = fileURLToPath(new URL(relative, import.meta.url))
  writeFileSync(`${target}.tmp`, text)
  renameSync(`${target}.tmp`, target)
  console.log(`wrote ${target}`)
}

const schema = configJsonSchema()
writeAtomic('../src/schema.json', `${JSON.stringify(schema, null, 2)}\n`)
writeAtomic('../src/schema-validator.generated.ts', configValidatorModule(schema))
writeAtomic('../src/meta-schema-validator.generated.ts', metaSchemaValidatorModule())
writeAtomic('../src/declared-keys.generated.ts', declaredKeysModule())
