#!/usr/bin/env node
// `pnpm cooperbench` in this checkout: bin/run.js plus the CLI's dev plugins (`oclif.devPlugins`:
// @cooperbench/dev-tools, with `cooperbench dev model-server`). oclif loads dev plugins only when
// NODE_ENV is `development` or `test` (vitest's); an installed CLI runs bin/run.js, which is all
// the package ships, and never has them. The commands run as built (`pnpm build`; bin/run.js tells
// oclif not to look for their TypeScript sources, which it would try in development).
if (process.env.NODE_ENV !== 'test') process.env.NODE_ENV = 'development'
await import('./run.js')
