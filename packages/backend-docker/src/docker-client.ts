import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { CooperbenchError } from '@cooperbench/spec'
import type Docker from 'dockerode'

/** Where the engine is and how to talk to it. */
export interface DockerAddress {
  /** The address as a user writes it, for messages. */
  url: string
  source: 'option' | 'DOCKER_HOST' | 'default'
  /** Options for dockerode. */
  options: Docker.DockerOptions
}

/** The socket the Docker CLI uses when nothing is configured. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock'

/**
 * Resolves the engine address like the Docker CLI does: the `host` option, else `DOCKER_HOST`,
 * else the system socket (or Docker Desktop's per-user socket when only that one exists).
 * TCP addresses use TLS when `DOCKER_TLS_VERIFY` is set, the scheme is `https`, or the port is
 * 2376, with `ca.pem`/`cert.pem`/`key.pem` from `DOCKER_CERT_PATH` (default `~/.docker`).
 * BACKEND_UNAVAILABLE for an address it cannot use.
 */
export function resolveDockerAddress(host: string | undefined, env: NodeJS.ProcessEnv = process.env): DockerAddress {
  const configured = host ?? (env.DOCKER_HOST?.trim() || undefined)
  const source: DockerAddress['source'] = host !== undefined ? 'option' : configured !== undefined ? 'DOCKER_HOST' : 'default'
  if (configured === undefined) {
    const userSocket = join(homedir(), '.docker', 'run', 'docker.sock')
    const socketPath = !existsSync(DEFAULT_DOCKER_SOCKET) && existsSync(userSocket) ? userSocket : DEFAULT_DOCKER_SOCKET
    return { url: `unix://${socketPath}`, source, options: { socketPath } }
  }
  const invalid = (why: string) =>
    new CooperbenchError('BACKEND_UNAVAILABLE', `cannot use Docker address "${configured}" (from ${describeSource(source)}): ${why}`, {
      hint: 'Use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host (as in DOCKER_HOST).',
    })

  if (configured.startsWith('unix://') || configured.startsWith('npipe://')) {
    const socketPath = configured.replace(/^(unix|npipe):\/\//, '') || DEFAULT_DOCKER_SOCKET
    return { url: configured, source, options: { socketPath } }
  }
  if (configured.startsWith('/')) return { url: `unix://${configured}`, source, options: { socketPath: configured } }

  let url: URL
  try {
    url = new URL(configured.includes('://') ? configured : `tcp://${configured}`)
  } catch {
    throw invalid('not a URL')
  }
  if (url.protocol === 'ssh:') {
    return {
      url: configured,
      source,
      options: {
        protocol: 'ssh',
        host: url.hostname,
        ...(url.port ? { port: url.port } : {}),
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        sshOptions: { agent: env.SSH_AUTH_SOCK },
      } as Docker.DockerOptions,
    }
  }
  if (!['tcp:', 'http:', 'https:'].includes(url.protocol)) throw invalid(`unsupported scheme ${url.protocol.replace(/:$/, '')}`)
  if (!url.hostname) throw invalid('no host name')
  const tlsVerify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0'
  const tls = tlsVerify || url.protocol === 'https:' || url.port === '2376'
  const port = url.port || (tls ? '2376' : '2375')
  const options: Docker.DockerOptions = { host: url.hostname, port, protocol: tls ? 'https' : 'http' }
  if (tls) {
    const certDir = env.DOCKER_CERT_PATH || join(homedir(), '.docker')
    const read = (name: string): Buffer | undefined => {
      const path = join(certDir, name)
      if (!existsSync(path)) {
        if (tlsVerify) throw invalid(`DOCKER_TLS_VERIFY is set but ${path} does not exist (set DOCKER_CERT_PATH)`)
        return undefined
      }
      return readFileSync(path)
    }
    for (const name of ['ca', 'cert', 'key'] as const) {
      const pem = read(`${name}.pem`)
      if (pem) options[name] = pem
    }
  }
  return { url: `${tls ? 'https' : 'tcp'}://${url.hostname}:${port}`, source, options }
}

/** Where an address came from, as messages name it. */
export function describeSource(source: DockerAddress['source']): string {
  return source === 'option' ? 'the backend option "host"' : source === 'DOCKER_HOST' ? 'DOCKER_HOST' : 'the default socket'
}
