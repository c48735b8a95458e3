import { readFile } from 'node:fs/promises'
import { CooperbenchError } from '@cooperbench/core'

/** A key file's text; one that cannot be read is the user's to fix. */
export async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    throw new CooperbenchError('USAGE', `cannot read the key ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      hint: 'Give a PEM file: `openssl genpkey -algorithm ed25519 -out key.pem` makes one, `openssl pkey -in key.pem -pubout` its public key.',
    })
  }
}
