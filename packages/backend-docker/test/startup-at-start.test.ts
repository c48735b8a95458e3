import { PassThrough, type Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { runsAsRoot, StartupAtStart } from '../src/startup-at-start.js'

/** A startup reader over a stream whose demultiplexed sides the test writes itself. */
function reader() {
  const stream = new PassThrough()
  let out!: NodeJS.WritableStream
  let err!: NodeJS.WritableStream
  const startup = new StartupAtStart(stream, (_stream, stdout, stderr) => {
    out = stdout
    err = stderr
  })
  const write = (side: NodeJS.WritableStream, text: string) => (side as Writable).write(Buffer.from(text))
  return { startup, stream, stdout: (text: string) => write(out, text), stderr: (text: string) => write(err, text) }
}

const settled = async (promise: Promise<unknown>) => Promise.race([promise.then(() => true), new Promise((r) => setTimeout(() => r(false), 20))])

describe('the startup check read from the attach stream', () => {
  it('waits for the exit line on both streams, so an error printed after stdout ended is kept', async () => {
    const { startup, stdout, stderr, stream } = reader()
    stdout('\n::cooperbench-startup-exit=128\n')
    expect(await settled(startup.result)).toBe(false)
    stderr('fatal: not a git repository\n\n::cooperbench-startup-exit=128\n')
    expect(await startup.result).toEqual({ exitCode: 128, output: '\nfatal: not a git repository\n\n', head: '\n' })
    expect(stream.destroyed).toBe(true)
  })

  it('takes HEAD from stdout and finds an exit line split across chunks', async () => {
    const { startup, stdout, stderr } = reader()
    stdout(`${'a'.repeat(40)}\n\n::cooperbench-star`)
    stderr('\n::cooperbench-startup-exit=0\n')
    stdout('tup-exit=')
    expect(await settled(startup.result)).toBe(false)
    stdout('0\n')
    const result = await startup.result
    expect(result.exitCode).toBe(0)
    expect(result.head.trim()).toBe('a'.repeat(40))
  })

  it('ends with exit code null when the stream ends first (the container died) or on close', async () => {
    const died = reader()
    died.stderr('sh: not found\n')
    died.stream.destroy()
    expect(await died.startup.result).toEqual({ exitCode: null, output: 'sh: not found\n', head: '' })
    const closed = reader()
    closed.stdout('partial')
    closed.startup.close()
    expect((await closed.startup.result).exitCode).toBeNull()
  })

  it('counts as root only an image known to run as root', () => {
    for (const user of ['', 'root', '0', 'root:root', '0:1000', ' root ']) expect(runsAsRoot(user), user).toBe(true)
    for (const user of ['nobody', '1000', '1000:0', 'rootless']) expect(runsAsRoot(user), user).toBe(false)
    expect(runsAsRoot(null)).toBe(false)
  })
})
