#!/usr/bin/env node
/**
 * Packs the CLI (`cooperbench`) and every `@cooperbench/*` package it depends on, one tarball
 * each, into a folder (default `release/`; its old tarballs are removed), and prints the one npm
 * command that installs them together, with absolute paths: `pnpm pack:release`, then, in any
 * folder, `npm install <folder>/*.tgz`. Before the packages are published, that is how the CLI is
 * installed: npm takes each `@cooperbench/*` dependency from the tarballs given with it and asks
 * the registry only for third-party packages (installing the CLI's tarball alone fails with E404
 * on the scope). Run after `pnpm build`; packages/cli/test/e2e/packed-install.test.ts runs it.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** The pnpm running this script (`pnpm pack:release`), else `pnpm` from PATH. */
function pnpm() {
  const running = process.env.npm_execpath
  if (!running || !/pnpm/.test(basename(running))) return ['pnpm']
  return /\.[cm]?js$/.test(running) ? [process.execPath, running] : [running]
}

const destination = resolve(process.argv[2] ?? join(ROOT, 'release'))
mkdirSync(destination, { recursive: true })
for (const file of readdirSync(destination)) if (file.endsWith('.tgz')) rmSync(join(destination, file))

// `cooperbench...` is the CLI and its workspace dependencies; `--filter-prod` leaves out dev
// dependencies (the private stand-ins), so the folder holds exactly what a user installs.
const [command, ...prefix] = pnpm()
execFileSync(command, [...prefix, '--filter-prod', 'cooperbench...', 'pack', '--pack-destination', destination], {
  cwd: ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
})

const tarballs = readdirSync(destination)
  .filter((file) => file.endsWith('.tgz'))
  .sort()
// Absolute paths: the command is pasted in another folder (the user's research folder), where a
// path relative to the checkout names nothing.
console.log(`${tarballs.length} packages packed into ${destination}; install them together with:`)
console.log(`npm install ${tarballs.map((file) => join(destination, file)).join(' ')}`)
