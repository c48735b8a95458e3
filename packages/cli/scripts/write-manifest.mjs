// Writes oclif.manifest.json: the commands' ids, flags and help text, so that `cooperbench
// --help` and command lookup need not import every command module (start-up time).
// Run after `tsc`; `pnpm build` and `prepack` do.
import { Plugin } from '@oclif/core'
import { rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, isRoot: true })
await plugin.load()
const target = join(root, 'oclif.manifest.json')
await writeFile(`${target}.tmp`, `${JSON.stringify(plugin.manifest, null, 2)}\n`)
await rename(`${target}.tmp`, target)
console.log(`wrote ${target} (${Object.keys(plugin.manifest.commands).length} commands)`)
