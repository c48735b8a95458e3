import { connect } from 'node:net'

/** Where one stand-in sshd listens and what it reads. */
export interface SshdConfigInput {
  port: number
  address: string
  hostKey: string
  authorizedKeys: string
  /** Lines appended as they are (a `ForceCommand`). */
  extra?: readonly string[]
}

/**
 * The `sshd_config` of a stand-in VM's sshd (and of any test's own sshd): key logins only, no PAM,
 * no pid file, errors only; everything else is OpenSSH's default, `MaxSessions` 10 included.
 */
export function sshdConfig(input: SshdConfigInput): string {
  const lines = [
    `Port ${input.port}`,
    `ListenAddress ${input.address}`,
    `HostKey ${input.hostKey}`,
    `AuthorizedKeysFile ${input.authorizedKeys}`,
    'PidFile none',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'LogLevel ERROR',
    // Bash, as Debian builds it, sources the user's ~/.bashrc when sshd starts it at shell level 1;
    // a developer's .bashrc (pyenv init, with its shim lock) then delays every login by up to a
    // minute. Level 1 here makes it level 2, so a login runs no rc file, like a fresh VM's. (With a
    // ForceCommand sshd runs no ~/.ssh/rc either; vm-access.test.ts plants both in the login user's home.)
    'SetEnv SHLVL=1',
    ...(input.extra ?? []),
  ]
  return `${lines.join('\n')}\n`
}

/** Whether something accepts TCP connections at address:port (an sshd that has started listening). */
export function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
