import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { INLINE_COMMAND_MAX_BYTES, loginShellInvocation } from '../src/long-command.js'

describe('loginShellInvocation', () => {
  it('runs a short command inline as bash -lc, exactly as before', () => {
    expect(loginShellInvocation('echo hi')).toEqual({ argv: ['bash', '-lc', 'echo hi'] })
    const limit = 'x'.repeat(INLINE_COMMAND_MAX_BYTES)
    expect(loginShellInvocation(limit)).toEqual({ argv: ['bash', '-lc', limit] })
  })

  it('counts UTF-8 bytes, not characters', () => {
    // 30 000 characters, 90 000 bytes: over the limit although shorter than it in characters.
    const command = `: ${'✓'.repeat(30_000)}`
    expect(command.length).toBeLessThan(INLINE_COMMAND_MAX_BYTES)
    expect(loginShellInvocation(command).script).toBeDefined()
  })

  it('puts a long command into a self-deleting script under /tmp, run by a login bash', () => {
    const command = `: ${'x'.repeat(INLINE_COMMAND_MAX_BYTES)}`
    const { argv, script } = loginShellInvocation(command)
    expect(script?.path).toMatch(/^\/tmp\/\.cooperbench-command-[0-9a-f-]{36}\.sh$/)
    expect(script?.content).toBe(`rm -f -- "$0"\n${command}\n`)
    expect(argv).toEqual(['bash', '-l', script?.path])
    expect(loginShellInvocation(command).script?.path).not.toBe(script?.path)
  })

  it('runs a 300 KiB heredoc with its stdin and environment, and leaves no script behind', () => {
    const text = `${'héllo wörld ✓ 日本語\n'.repeat(12_000)}`
    const command = `cat > "$OUT" <<'EOF'\n${text}EOF\nsha256sum < "$OUT"; echo "$GREETING"; cat`
    expect(Buffer.byteLength(command)).toBeGreaterThan(300 * 1024)
    const { argv, script } = loginShellInvocation(command)
    writeFileSync(script!.path, script!.content)
    const out = `${script!.path}.out`
    // A home of its own: the login shell must not run this user's startup files (a slow `pyenv init`).
    const home = mkdtempSync(join(tmpdir(), 'cooperbench-long-command-home-'))
    try {
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, OUT: out, GREETING: 'hi' }
      const stdout = execFileSync(argv[0]!, argv.slice(1), { input: 'from stdin\n', env, encoding: 'utf8' })
      expect(stdout).toBe(`${createHash('sha256').update(text).digest('hex')}  -\nhi\nfrom stdin\n`)
      expect(existsSync(script!.path)).toBe(false)
    } finally {
      execFileSync('rm', ['-f', script!.path, out])
      rmSync(home, { recursive: true, force: true })
    }
  })
})
