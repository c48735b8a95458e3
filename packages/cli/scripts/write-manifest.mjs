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
// A temp file of this process's own: `pnpm build`, `pack:release` and `publish --dry-run` may run at once.
const temp = `${target}.${process.pid}.tmp`
await writeFile(temp, `${JSON.stringify(plugin.manifest, null, 2)}\n`)
await rename(temp, target)
console.log(`wrote ${target} (${Object.keys(plugin.manifest.commands).length} commands)`)
