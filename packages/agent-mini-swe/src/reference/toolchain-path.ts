import type { ReferenceProtocol } from './config.js'
import { followsAtLeast } from './reference-version.js'

/**
 * Upstream 0.0.28 (CHANGELOG "Language toolchains are on PATH in agent sandboxes"; `_TOOLCHAIN_PATH`
 * in `environments/modal.py`, read at 04846de): task images put cargo and go on PATH through Docker's
 * `ENV`, which its Modal exec did not inherit, so every command's login shell first puts these
 * directories, in this order, before whatever PATH it has.
 */
const TOOLCHAIN_DIRS_FROM_0_0_28 = ['/usr/local/cargo/bin', '/usr/local/go/bin', '/root/.cargo/bin', '/root/go/bin', '/usr/local/bin']

/**
 * What the login shell runs for a command: the command itself, or from 0.0.28 the PATH export before it
 * on the same line (as upstream's, so a shell error still names line 1). Applied on every backend: a
 * run under 0.0.28 sees the PATH upstream's default backend gave its commands.
 */
export function referenceShellScript(config: ReferenceProtocol): (command: string) => string {
  if (!followsAtLeast(config.version, '0.0.28')) return (command) => command
  const exported = `export PATH="${TOOLCHAIN_DIRS_FROM_0_0_28.join(':')}:$PATH"; `
  return (command) => exported + command
}
