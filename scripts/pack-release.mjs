#!/usr/bin/env node
/**
 * Packs the CLI (`cooperbench`) and every `@cooperbench/*` package it depends on, one tarball
 * each, into a folder (default `release/`; its old tarballs are removed), and prints the one npm
 * command that installs them together, with absolute paths: `pnpm pack:release`, then, in any
 * folder, `npm install <folder>/*.tgz`. Before the packages are published, that is how the CLI is
 * installed: npm takes each `@cooperbench/*` dependency from the tarballs given with it and asks
 * the registry only for third-party packages (installing the CLI's tarball alone fails with E404
 * on the scope). The published packages the CLI does not depend on (testkit, for plugin authors'
 * tests) go into `<folder>/plugin-authors/`, so that what a user installs carries none of them.
 * Run after `pnpm build`; packages/cli/test/e2e/packed-install.test.ts runs it.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** The pnpm running this script (`pnpm pack:release`), else `pnpm` from PATH. */
function pnpm() {
  const running = process.env.npm_execpath
  if (!running || !/pnpm/.test(basename(running))) return ['pnpm']
  return /\.[cm]?js$/.test(running) ? [process.execPath, running] : [running]
}

/** The folder `dir`, made if missing, without the tarballs of an earlier run. */
function emptied(dir) {
  mkdirSync(dir, { recursive: true })
  for (const file of readdirSync(dir)) if (file.endsWith('.tgz')) rmSync(join(dir, file))
  return dir
}

const tarballsIn = (dir) =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.tgz'))
    .sort()

/** Runs `pnpm <filters> pack` into `dir`. */
function pack(filters, dir) {
  const [command, ...prefix] = pnpm()
  execFileSync(command, [...prefix, ...filters, 'pack', '--pack-destination', dir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
}

const destination = emptied(resolve(process.argv[2] ?? join(ROOT, 'release')))
const forPluginAuthors = emptied(join(destination, 'plugin-authors'))

// `cooperbench...` is the CLI and its workspace dependencies; `--filter-prod` leaves out dev
// dependencies (the private stand-ins and dev tools), so the folder holds exactly what a user installs.
pack(['--filter-prod', 'cooperbench...'], destination)
const packed = new Set(tarballsIn(destination).map((file) => JSON.parse(execFileSync('tar', ['-xzOf', join(destination, file), 'package/package.json'])).name))
const others = readdirSync(join(ROOT, 'packages'))
  .map((dir) => JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')))
  .filter((pkg) => !pkg.private && !packed.has(pkg.name))
if (others.length > 0) {
  pack(
    others.flatMap((pkg) => ['--filter', pkg.name]),
    forPluginAuthors,
  )
  console.log(`${others.map((pkg) => pkg.name).join(', ')}, for plugin authors' tests: packed into ${forPluginAuthors}`)
}

const tarballs = tarballsIn(destination)
// Absolute paths: the command is pasted in another folder (the user's research folder), where a
// path relative to the checkout names nothing.
console.log(`${tarballs.length} packages packed into ${destination}; install them together with:`)
console.log(`npm install ${tarballs.map((file) => join(destination, file)).join(' ')}`)
