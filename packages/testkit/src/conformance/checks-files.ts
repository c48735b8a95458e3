import { randomBytes } from 'node:crypto'
import { SANDBOX_REPO_DIR, type Sandbox } from '@cooperbench/core'
import { type CheckOptions, scratch, preview, violation, same, resultMatches, within, rejection, attempt, run, must, sha256 } from './check-support.js'

// Large output and files

/** Whether some line of `text` is a marker saying output was truncated. */
export function hasTruncationMarker(text: string): boolean {
  return text.split('\n').some((line) => /truncat/i.test(line))
}

/**
 * 20 MB of stdout with `maxOutputBytes: 1_000_000` comes back capped (about 1 MB), with
 * `truncated: true` and a marker line mentioning truncation, promptly; the command is drained,
 * not killed: its exit code and a later stderr line survive.
 */
export async function checkOutputCap(sandbox: Sandbox, options: CheckOptions & { withinMs?: number } = {}): Promise<void> {
  const total = 20_000_000
  const cap = 1_000_000
  const withinMs = options.withinMs ?? 15_000
  const command = `head -c ${total} /dev/zero | tr '\\0' a; echo tail >&2`
  const result = await within(sandbox.exec(command, { maxOutputBytes: cap, timeoutMs: 120_000 }), withinMs, `20 MB of output with maxOutputBytes ${cap}`)
  const what = `20 MB of stdout with maxOutputBytes ${cap}`
  resultMatches(result, { exitCode: 0, timedOut: false, truncated: true, stderr: 'tail\n' }, what)
  const size = Buffer.byteLength(result.stdout)
  if (size > cap + 4096) violation(`${what}: stdout holds ${size} bytes, more than the cap`)
  if (!hasTruncationMarker(result.stdout)) violation(`${what}: stdout has no line mentioning truncation (ends ${preview(result.stdout.slice(-200))})`)
  const kept = result.stdout
    .split('\n')
    .filter((line) => !/truncat/i.test(line))
    .join('')
  if (kept.length < 1000 || /[^a]/.test(kept)) violation(`${what}: expected the kept output to be 'a's, got ${preview(kept)}`)
  const small = await sandbox.exec('printf 12345', { maxOutputBytes: cap })
  resultMatches(small, { exitCode: 0, stdout: '12345', truncated: false }, 'output under the cap')
}

/** writeFile then readFile returns the same 5 MiB of random bytes, and the command sees them too. */
export async function checkBinaryRoundTrip(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const dir = scratch(options)
  const path = `${dir}/blob.bin`
  const data = new Uint8Array(randomBytes(5 * 1024 * 1024))
  try {
    await sandbox.writeFile(path, data)
    const back = await sandbox.readFile(path)
    if (!(back instanceof Uint8Array)) violation(`readFile returned ${typeof back}, not a Uint8Array`)
    if (back.length !== data.length || !Buffer.from(back).equals(data)) {
      violation(`readFile of 5 MiB written by writeFile: ${back.length} bytes came back, sha256 ${sha256(back)} instead of ${sha256(data)}`)
    }
    resultMatches(await run(sandbox, ['sha256sum', path]), { exitCode: 0, stdout: `${sha256(data)}  ${path}\n` }, 'sha256sum of the written file')
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}

/** An empty file round-trips: writeFile makes a zero-byte file, readFile returns zero bytes. */
export async function checkEmptyFileRoundTrip(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const dir = scratch(options)
  try {
    await sandbox.writeFile(`${dir}/empty.bin`, new Uint8Array(0))
    await sandbox.writeFile(`${dir}/empty.txt`, '')
    for (const name of ['empty.bin', 'empty.txt']) {
      same((await sandbox.readFile(`${dir}/${name}`)).length, 0, `readFile of the empty file ${name}`)
      resultMatches(await run(sandbox, ['wc', '-c', `${dir}/${name}`]), { exitCode: 0, stdout: `0 ${dir}/${name}\n` }, `wc -c of the empty file ${name}`)
    }
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}

/**
 * `writeFiles`, when the sandbox offers it, writes like `writeFile` file by file: new files in
 * new folders (mode 0644), an existing file keeps its mode, a symlink is written through, bytes
 * exact; a folder among the targets is refused.
 */
export async function checkWriteFiles(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const writeFiles = sandbox.writeFiles?.bind(sandbox)
  if (!writeFiles) return
  const dir = scratch(options)
  try {
    await must(
      sandbox,
      `mkdir -p ${dir}/links && printf old > ${dir}/script.sh && chmod 755 ${dir}/script.sh && printf x > ${dir}/target && ln -s ${dir}/target ${dir}/links/link`,
      'preparing files',
    )
    const blob = new Uint8Array(randomBytes(100_000))
    await writeFiles(
      new Map<string, string | Uint8Array>([
        [`${dir}/new/deeper/blob.bin`, blob],
        [`${dir}/script.sh`, 'new\n'],
        [`${dir}/links/link`, 'through\n'],
        [`${dir}/empty`, ''],
      ]),
    )
    same(sha256(await sandbox.readFile(`${dir}/new/deeper/blob.bin`)), sha256(blob), 'sha256 of a file written by writeFiles')
    resultMatches(
      await run(sandbox, [
        'sh',
        '-c',
        `stat -c %a ${dir}/new/deeper/blob.bin ${dir}/script.sh; cat ${dir}/script.sh ${dir}/target; test -L ${dir}/links/link && wc -c < ${dir}/empty`,
      ]),
      { exitCode: 0, stdout: '644\n755\nnew\nthrough\n0\n' },
      'modes, contents and the symlink after writeFiles',
    )
    await rejection(() => writeFiles(new Map([[`${dir}/new`, 'x']])), 'writeFiles onto a folder')
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}

/** readFile returns, byte for byte, a file a command wrote. */
export async function checkReadFileWrittenByExec(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const dir = scratch(options)
  try {
    const made = await must(
      sandbox,
      `mkdir -p ${dir} && head -c 300000 /dev/urandom > ${dir}/random.bin && sha256sum ${dir}/random.bin`,
      'writing random bytes',
    )
    const bytes = await sandbox.readFile(`${dir}/random.bin`)
    same(bytes.length, 300_000, 'length of the file read back')
    same(`${sha256(bytes)}  ${dir}/random.bin\n`, made.stdout, 'sha256 of the file read back')
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}

/** writeFile creates missing parent directories, and writes strings as UTF-8. */
export async function checkWriteFileCreatesParents(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const dir = scratch(options)
  const path = `${dir}/a/b c/d/file.txt`
  const text = 'nested ✓ 日本\n'
  try {
    await attempt(sandbox.writeFile(path, text), `writeFile of ${path}, whose parent directories do not exist`)
    resultMatches(await run(sandbox, ['cat', path]), { exitCode: 0, stdout: text }, 'cat of a file written into new directories')
    same(Buffer.from(await sandbox.readFile(path)).equals(Buffer.from(text, 'utf8')), true, 'readFile of a string written by writeFile equals its UTF-8 bytes')
    await sandbox.writeFile(path, 'replaced\n')
    resultMatches(await run(sandbox, ['cat', path]), { exitCode: 0, stdout: 'replaced\n' }, 'cat of a file replaced by writeFile')
  } finally {
    await run(sandbox, ['rm', '-rf', dir]).catch(() => {})
  }
}

/** readFile of a file that does not exist rejects. */
export async function checkReadMissingFileRejects(sandbox: Sandbox, options: CheckOptions = {}): Promise<void> {
  const path = `${scratch(options)}/missing.txt`
  await rejection(() => sandbox.readFile(path), `readFile of the missing ${path}`)
  await rejection(
    () => sandbox.readFile(`${SANDBOX_REPO_DIR}/cooperbench-missing-${randomBytes(4).toString('hex')}.txt`),
    'readFile of a missing file in the repo',
  )
}
