import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { basename } from 'node:path'

/**
 * A minimal npm registry on 127.0.0.1 that serves packed tarballs of one scope (`@cooperbench`),
 * as if they were published: npm is pointed at it for that scope only
 * (`npm_config_@cooperbench:registry`), and fetches every other package from its usual registry.
 * It answers the two requests npm makes: a package document and a tarball.
 */
export interface ScopedRegistry {
  /** `http://127.0.0.1:<port>/` */
  url: string
  scope: string
  /** Environment variables that point npm at this registry for the scope. */
  npmEnv: Record<string, string>
  /** Package names served. */
  packages: string[]
  /** Paths requested, in order (to assert that npm came here). */
  requests: string[]
  close(): Promise<void>
}

interface Published {
  manifest: Record<string, unknown> & { name: string; version: string }
  file: string
  bytes: Buffer
}

export async function startScopedRegistry(scope: string, tarballs: string[]): Promise<ScopedRegistry> {
  const published = new Map<string, Published[]>()
  for (const tarball of tarballs) {
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Published['manifest']
    if (!manifest.name.startsWith(`${scope}/`)) continue
    const entry = { manifest, file: basename(tarball), bytes: readFileSync(tarball) }
    published.set(manifest.name, [...(published.get(manifest.name) ?? []), entry])
  }
  const requests: string[] = []
  let base = ''

  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0]!)
    requests.push(path)
    const tarball = /^\/-\/tarballs\/(.+)$/.exec(path)
    if (tarball) {
      const found = [...published.values()].flat().find((p) => p.file === tarball[1])
      if (!found) return notFound(response)
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': found.bytes.length })
      return response.end(found.bytes)
    }
    const versions = published.get(path.slice(1))
    if (!versions) return notFound(response)
    const document = packageDocument(path.slice(1), versions, base)
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify(document))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return {
    url: base,
    scope,
    npmEnv: { [`npm_config_${scope}:registry`]: base },
    packages: [...published.keys()],
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function packageDocument(name: string, versions: Published[], base: string) {
  const latest = versions.at(-1)!
  return {
    name,
    'dist-tags': { latest: latest.manifest.version },
    versions: Object.fromEntries(
      versions.map((p) => [
        p.manifest.version,
        {
          ...p.manifest,
          _id: `${name}@${p.manifest.version}`,
          dist: {
            tarball: `${base}-/tarballs/${encodeURIComponent(p.file)}`,
            shasum: createHash('sha1').update(p.bytes).digest('hex'),
            integrity: `sha512-${createHash('sha512').update(p.bytes).digest('base64')}`,
          },
        },
      ]),
    ),
  }
}

function notFound(response: import('node:http').ServerResponse): void {
  response.writeHead(404, { 'content-type': 'application/json' })
  response.end(JSON.stringify({ error: 'not found' }))
}
