import type Docker from 'dockerode'
import { DOCKER_LABELS } from './labels.js'

/** Printed on stderr by the smoke script when the image's C library is musl. */
export const SMOKE_MUSL_MARK = 'cooperbench-smoke: musl'

/** `sh -c SMOKE_SCRIPT cooperbench-smoke <argv…>`: runs argv without input or output, and marks a musl image (its loader under /lib). */
const SMOKE_SCRIPT = [
  '"$@" </dev/null >/dev/null',
  'code=$?',
  `for f in /lib/ld-musl-*; do [ -e "$f" ] && echo '${SMOKE_MUSL_MARK}' >&2; done`,
  'exit "$code"',
].join('\n')

/** A program still running after this long has started; it is stopped and counts as one that runs. */
const SMOKE_LIMIT_MS = 30_000

export interface SmokeOutcome {
  /** Whether the program could start (any exit status but 126, 127 or a signal). */
  ran: boolean
  /** Why it could not, for the message. */
  why: string
  stderr: string
}

/** Runs argv once in a container of `image` with no network; the container is removed afterwards. */
export async function runSmokeTest(docker: Docker, image: string, argv: string[]): Promise<SmokeOutcome> {
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['sh', '-c', SMOKE_SCRIPT, 'cooperbench-smoke', ...argv],
    Cmd: [],
    Labels: { [DOCKER_LABELS.builtImage]: 'smoke-test' },
    Tty: false,
    HostConfig: { NetworkMode: 'none', AutoRemove: false },
  })
  try {
    await container.start()
    let timer: NodeJS.Timeout | undefined
    const limit = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), SMOKE_LIMIT_MS)))
    const exited = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, limit]).finally(() => clearTimeout(timer))
    const stderr = demuxedText(await container.logs({ stdout: false, stderr: true, tail: 40 }))
    if (exited === null) return { ran: true, why: '', stderr }
    const code = exited.StatusCode
    if (code === 127) return { ran: false, why: 'could not be started (exit 127: the file or its loader is missing)', stderr }
    if (code === 126) return { ran: false, why: 'could not be executed (exit 126)', stderr }
    if (code > 128) return { ran: false, why: `was killed by signal ${code - 128} as it started`, stderr }
    return { ran: true, why: '', stderr }
  } finally {
    await container.remove({ force: true }).catch(() => {})
  }
}

/** The text of a non-TTY log buffer: frames of an 8-byte header (stream, 0, 0, 0, size) and a payload. */
function demuxedText(logs: Buffer | string): string {
  if (typeof logs === 'string') return logs
  const parts: Buffer[] = []
  for (let at = 0; at + 8 <= logs.length; ) {
    const size = logs.readUInt32BE(at + 4)
    parts.push(logs.subarray(at + 8, at + 8 + size))
    at += 8 + size
  }
  return Buffer.concat(parts).toString('utf8')
}
