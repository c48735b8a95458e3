import { describe, expect, it } from 'vitest'
import { browserOpener } from '../src/open-browser.js'

describe('--open', () => {
  it("uses the platform's opener", () => {
    const url = 'http://127.0.0.1:7878/#/pairs?run=a&sort=cost-desc'
    expect(browserOpener(url, 'linux')).toEqual({ command: 'xdg-open', args: [url] })
    expect(browserOpener(url, 'darwin')).toEqual({ command: 'open', args: [url] })
    // cmd's start treats & as a command separator unless escaped, and its first quoted argument as a title.
    expect(browserOpener(url, 'win32')).toEqual({ command: 'cmd', args: ['/c', 'start', '""', 'http://127.0.0.1:7878/#/pairs?run=a^&sort=cost-desc'] })
  })
})
