// Deletes what `tsc -b` compiled from a source file that is gone (moved or deleted): tsc never
// removes such outputs, and a stale one can still be loaded, e.g. an oclif command whose source
// moved to another package. A compiled file is one with its declaration beside it (every package
// emits declarations); anything else under dist (the viewer's app bundle, copied JSON) is left.
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = process.argv[2] ?? join(import.meta.dirname, '..')
let removed = 0
for (const pkg of readdirSync(join(root, 'packages'))) {
  const dist = join(root, 'packages', pkg, 'dist')
  if (!existsSync(dist)) continue
  for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
    const stem = /^(.*)\.d\.ts$/.exec(file)?.[1]
    if (stem === undefined || !existsSync(join(dist, `${stem}.js`))) continue
    const src = join(root, 'packages', pkg, 'src', stem)
    if (['.ts', '.tsx', '.mts'].some((ext) => existsSync(`${src}${ext}`))) continue
    for (const output of [`${stem}.js`, `${stem}.js.map`, `${stem}.d.ts`, `${stem}.d.ts.map`]) rmSync(join(dist, output), { force: true })
    removed++
  }
}
if (removed > 0) console.log(`removed the compiled output of ${removed} source file(s) that no longer exist`)
