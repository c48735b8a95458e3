import { spawn } from 'node:child_process'

/** The platform's opener for a URL: `open` (macOS), `start` (Windows), `xdg-open` (elsewhere). */
export function browserOpener(url: string, platform: NodeJS.Platform = process.platform): { command: string; args: string[] } {
  if (platform === 'darwin') return { command: 'open', args: [url] }
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url.replace(/&/g, '^&')] }
  return { command: 'xdg-open', args: [url] }
}

/** Opens `url` in the default browser; resolves to why it could not, or null once the opener started. */
export function openInBrowser(url: string): Promise<string | null> {
  const { command, args } = browserOpener(url)
  return new Promise((resolvePromise) => {
    try {
      const child = spawn(command, args, { stdio: 'ignore', detached: true })
      child.once('error', (error) => resolvePromise(`${command} could not start (${error.message})`))
      child.once('spawn', () => {
        child.unref()
        resolvePromise(null)
      })
    } catch (error) {
      resolvePromise(`${command} could not start (${error instanceof Error ? error.message : String(error)})`)
    }
  })
}
