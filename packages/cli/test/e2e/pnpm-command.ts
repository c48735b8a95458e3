import { basename } from 'node:path'

/** The pnpm running this test (`npx pnpm test` leaves none on PATH), else `pnpm` from PATH: command and leading arguments. */
export function pnpmCommand(): [string, ...string[]] {
  const running = process.env.npm_execpath
  if (!running || !/pnpm/.test(basename(running))) return ['pnpm']
  return /\.[cm]?js$/.test(running) ? [process.execPath, running] : [running]
}
