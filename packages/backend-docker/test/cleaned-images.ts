import { spawnSync } from 'node:child_process'

/** The engine's image names (`repository:tag`); taken before a test builds, it tells the images the test made from older ones. */
export function dockerImageNames(): Set<string> {
  const listed = spawnSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' })
  return new Set((listed.stdout ?? '').split('\n').filter((name) => name !== '' && !name.endsWith(':<none>')))
}

/**
 * The images the docker backend derived from `images` that are not in `before`: every sandbox
 * starts from `<image>-clean-<digest>`, the image without the history after the base commit (a new
 * digest whenever the image is rebuilt), which removing `images` leaves behind. Listed first, so
 * that one `docker rmi` removes them before the images they were built on.
 */
export function cleanedImagesOf(images: Iterable<string>, before: ReadonlySet<string> = new Set()): string[] {
  const prefixes = [...images].map((image) => `${image}-clean-`)
  return [...dockerImageNames()].filter((name) => !before.has(name) && prefixes.some((prefix) => name.startsWith(prefix)))
}
