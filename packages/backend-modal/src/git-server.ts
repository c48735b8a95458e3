import { randomInt } from 'node:crypto'
import { sharedPerKey } from '@cooperbench/backend-kit'
import { CooperbenchError, type Logger, SANDBOX_LABELS, type SandboxSpec, type SharedDir } from '@cooperbench/spec'
import type { ModalSandbox } from './modal-sandbox.js'

export interface TeamRemoteServersInit {
  /** Creates a plain sandbox of the backend (no shared dirs) with tunnels to `ports`. */
  create(spec: SandboxSpec, signal: AbortSignal | undefined, ports: number[]): Promise<ModalSandbox>
  logger: Logger
  /** The port a new server listens on inside its sandbox; default a random one (tests choose). */
  pickPort?: () => number
}

interface Server {
  sandbox: ModalSandbox
  /** `git://host:port` through Modal's tunnel. */
  url: string
  users: number
}

/** How long Modal may take to report a tunnel. */
const TUNNEL_TIMEOUT_MS = 60_000
const SERVER_START_TIMEOUT_MS = 60_000
/** Servers started on a fresh port when the one picked is taken. */
const PORT_ATTEMPTS = 3

/** A random port keeps servers apart on a shared network; below 32768, where Linux's range for outgoing connections starts. */
function randomServerPort(): number {
  return randomInt(20_000, 32_768)
}

/**
 * The shared git remote of `--git` on Modal, which cannot mount a host folder: a git daemon in a
 * sandbox of its own per pair, reached through a TCP tunnel. Every agent sandbox gets a
 * system-wide `url.<git://…>.insteadOf <path>` rule, so the remote keeps the path agents are told.
 * The server lives while a sandbox of its pair does.
 */
export class TeamRemoteServers {
  private readonly servers = new Map<string, Promise<Server>>()

  constructor(private readonly init: TeamRemoteServersInit) {}

  /** Points `sandbox` at the pair's remote for every shared dir of `spec`, starting the server on first use. */
  async connect(sandbox: ModalSandbox, spec: SandboxSpec, signal?: AbortSignal): Promise<void> {
    for (const dir of spec.sharedDirs ?? []) {
      const server = await sharedPerKey(this.servers, dir.hostPath, () => this.start(dir, spec, signal))
      server.users++
      sandbox.whenTerminated(() => this.release(dir.hostPath, server))
      const rewrite = `${server.url}${dir.sandboxPath}`
      const result = await sandbox.exec(['git', 'config', '--system', `url.${rewrite}.insteadOf`, dir.sandboxPath], {
        cwd: '/',
        timeoutMs: 30_000,
        ...(signal ? { signal } : {}),
      })
      if (result.exitCode !== 0) {
        throw new CooperbenchError(
          'SANDBOX_FAILED',
          `Modal sandbox ${sandbox.id}: cannot point git at the pair's remote: ${(result.stderr || result.stdout).trim()}`,
        )
      }
    }
  }

  async close(): Promise<void> {
    const servers = await Promise.allSettled([...this.servers.values()])
    this.servers.clear()
    await Promise.allSettled(servers.map((s) => (s.status === 'fulfilled' ? s.value.sandbox.terminate() : undefined)))
  }

  private release(key: string, server: Server): void {
    server.users--
    if (server.users > 0) return
    if (this.servers.get(key) !== undefined) this.servers.delete(key)
    void server.sandbox.terminate().catch(() => {})
  }

  /** Starts the pair's server; a taken port means a new sandbox on another (the tunnel is fixed at creation). */
  private async start(dir: SharedDir, spec: SandboxSpec, signal?: AbortSignal): Promise<Server> {
    for (let attempt = 1; ; attempt++) {
      const port = (this.init.pickPort ?? randomServerPort)()
      const server = await this.startOn(port, dir, spec, signal)
      if (server !== 'port-taken') return server
      if (attempt >= PORT_ATTEMPTS) {
        throw new CooperbenchError('SANDBOX_FAILED', `the pair's git server found ${PORT_ATTEMPTS} ports taken in a row (the last ${port})`)
      }
      this.init.logger.debug(`modal: port ${port} of the pair's git server is taken; trying another`)
    }
  }

  private async startOn(port: number, dir: SharedDir, spec: SandboxSpec, signal?: AbortSignal): Promise<Server | 'port-taken'> {
    const serverSpec: SandboxSpec = { ...spec, role: 'git-server', labels: { ...spec.labels, [SANDBOX_LABELS.role]: 'git-server' } }
    delete serverSpec.sharedDirs
    const sandbox = await this.init.create(serverSpec, signal, [port])
    try {
      const script = [
        'set -e',
        `git init -q --bare "$1"`,
        `git --git-dir="$1" config receive.denyCurrentBranch ignore`,
        `nohup setsid git daemon --verbose --reuseaddr --export-all --enable=receive-pack --base-path=/ --listen=0.0.0.0 --port=$2 >/tmp/cooperbench-git-daemon.log 2>&1 < /dev/null &`,
        'daemon=$!',
        // Ready once the daemon says it listens (asking the port could reach whatever else holds it).
        'for i in $(seq 1 300); do grep -q "Ready to rumble" /tmp/cooperbench-git-daemon.log && exit 0; kill -0 $daemon 2>/dev/null || break; sleep 0.1; done',
        'cat /tmp/cooperbench-git-daemon.log >&2; exit 1',
      ].join('\n')
      const started = await sandbox.exec(['sh', '-c', script, 'cooperbench-git-server', dir.sandboxPath, String(port)], {
        cwd: '/',
        timeoutMs: SERVER_START_TIMEOUT_MS,
        ...(signal ? { signal } : {}),
      })
      if (started.exitCode !== 0) {
        const output = (started.stderr || started.stdout).trim()
        if (/Address already in use/.test(output)) {
          await sandbox.terminate().catch(() => {})
          return 'port-taken'
        }
        throw new CooperbenchError(
          'SANDBOX_FAILED',
          `the pair's git server does not start in Modal sandbox ${sandbox.id}: ${output || `exit ${started.exitCode}`}`,
        )
      }
      const tunnel = (await sandbox.handle.tunnels(TUNNEL_TIMEOUT_MS))[port]
      if (!tunnel) throw new CooperbenchError('SANDBOX_FAILED', `Modal gave no tunnel to port ${port} of the pair's git server`)
      const [host, publicPort] = tunnel.tcpSocket
      this.init.logger.debug(`modal: git server of ${dir.hostPath} at git://${host}:${publicPort}`)
      return { sandbox, url: `git://${host}:${publicPort}`, users: 0 }
    } catch (error) {
      await sandbox.terminate().catch(() => {})
      throw error
    }
  }
}
