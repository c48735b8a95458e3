import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'

/**
 * What a Batch task sees at a Cloud Storage volume, which Batch mounts with Cloud Storage FUSE
 * (`Volume.mountOptions` are gcsfuse's flags: google/cloud/batch/v1/volume.proto). gcsfuse shows
 * a directory only when an object `prefix/` backs it, unless `--implicit-dirs` is given
 * (gcsfuse docs/semantics.md, "Implicit directories"): objects under a prefix that has no such
 * object are invisible, so `ls tasks/` or `tar -xf tasks/0.tar` fail with ENOENT.
 *
 * The Storage stand-in keeps objects as files in real folders and makes no folder objects, so
 * without `--implicit-dirs` the task gets a copy of the objects directly under the mount root
 * only; what it writes there (directories it makes are explicit, as with gcsfuse) becomes objects
 * when the task ends. With `--implicit-dirs` it gets the bucket's folder itself.
 */
export interface GcsFuseView {
  /** The host directory to bind-mount at the volume's mount path. */
  readonly dir: string
  /** Copies what the task wrote back into the bucket, and removes the view. */
  close(): void
}

export function gcsFuseView(objectsDir: string, mountOptions: readonly string[] = []): GcsFuseView {
  if (mountOptions.some((option) => /^(--)?implicit-dirs(=true)?$/.test(option))) return { dir: objectsDir, close() {} }
  const view = mkdtempSync(join(tmpdir(), 'cooperbench-gcsfuse-'))
  for (const entry of readdirSync(objectsDir, { withFileTypes: true })) {
    if (entry.isFile()) copyFileSync(join(objectsDir, entry.name), join(view, entry.name))
  }
  return {
    dir: view,
    close() {
      try {
        for (const file of filesUnder(view)) {
          const target = join(objectsDir, relative(view, file))
          mkdirSync(dirname(target), { recursive: true })
          copyFileSync(file, target)
        }
      } finally {
        rmSync(view, { recursive: true, force: true })
      }
    },
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}
