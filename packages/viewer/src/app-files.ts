import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { CooperbenchError } from '@cooperbench/core'
import type { PageMode } from './model.js'

/** The built browser app (`app.js`, `app.css`), next to this file in dist/ (or in dist/ when run from src/ by tests). */
export function appDir(): string {
  for (const candidate of ['./app/', '../dist/app/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url))
    if (existsSync(`${dir}app.js`)) return dir
  }
  throw new CooperbenchError('INTERNAL', 'the viewer app is not built (dist/app/app.js is missing)', {
    hint: 'From a checkout run `pnpm build`; an installed package ships it, so reinstall cooperbench.',
  })
}

export const APP_FILES = ['app.js', 'app.css'] as const

export function indexHtml(config: PageMode, title = 'cooperbench view'): string {
  const dataScript = config.mode === 'static' ? '\n    <script src="data/viewer-data.js"></script>' : ''
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(title)}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="app.css" />
  </head>
  <body>
    <div id="app"></div>
    <script>window.COOPERBENCH_VIEWER = ${JSON.stringify(config)}</script>${dataScript}
    <script src="app.js"></script>
  </body>
</html>
`
}

function escapeHtml(text: string) {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
}
