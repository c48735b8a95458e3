import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import { CooperbenchError } from '@cooperbench/spec'
import { bundleMismatch } from './bundle-errors.js'

/**
 * `bundle.sig`: a detached Ed25519 signature over the bytes of `bundle.json` (which lists every
 * other file's digest).
 */
export interface BundleSignature {
  algorithm: 'ed25519'
  /**
   * The signer's public key (SPKI PEM): says who signed; `verify --signer` checks it is the key
   * expected.
   */
  public_key: string
  /** base64 */
  signature: string
}

const KEY_HINT = 'Make a key with `openssl genpkey -algorithm ed25519 -out key.pem`; its public half: `openssl pkey -in key.pem -pubout -out key.pub.pem`.'

/** The Ed25519 private key of a PEM file's text (`bundle --sign`); `source` names the file in errors. */
export function signingKey(pem: string, source: string): KeyObject {
  return ed25519(source, 'private', () => createPrivateKey(pem))
}

/**
 * The Ed25519 public key of a PEM file's text (`verify --signer`): a public key, or the private key
 * it belongs to.
 */
export function signerKey(pem: string, source: string): KeyObject {
  return ed25519(source, 'public', () => createPublicKey(pem))
}

/** `sha256:<hex>` of the public key (its DER SubjectPublicKeyInfo): how a key is named to a reader. */
export function keyFingerprint(key: KeyObject): string {
  const spki = publicOf(key).export({ type: 'spki', format: 'der' })
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`
}

export function signManifest(manifest: Buffer, key: KeyObject): BundleSignature {
  const publicKey = publicOf(key).export({ type: 'spki', format: 'pem' }).toString()
  return { algorithm: 'ed25519', public_key: publicKey, signature: sign(null, manifest, key).toString('base64') }
}

/**
 * The fingerprint of the key that signed `manifest` (null: unsigned, when no `signer` is required).
 * With `signer`, the signature must be that key's; without, the key the signature names must check it.
 */
export function checkSignature(manifest: Buffer, signature: unknown, signer: KeyObject | null): string | null {
  if (signature === null) {
    if (signer !== null) throw bundleMismatch(`bundle.sig: the bundle is unsigned, and --signer expects a signature by ${keyFingerprint(signer)}`)
    return null
  }
  const stated = statedKey(signature)
  if (stated === null) throw bundleMismatch('bundle.sig is not an Ed25519 signature with its public key')
  const key = signer ?? stated.key
  if (keyFingerprint(stated.key) !== keyFingerprint(key))
    throw bundleMismatch(`bundle.sig: signed by the key ${keyFingerprint(stated.key)}, not by the signer's ${keyFingerprint(key)}`)
  if (!verify(null, manifest, key, stated.signature)) throw bundleMismatch(`bundle.sig: the signature by ${keyFingerprint(key)} does not match bundle.json`)
  return keyFingerprint(key)
}

const publicOf = (key: KeyObject) => (key.type === 'public' ? key : createPublicKey(key))

function statedKey(value: unknown): { key: KeyObject; signature: Buffer } | null {
  const { algorithm, public_key, signature } = (value ?? {}) as Partial<BundleSignature>
  if (algorithm !== 'ed25519' || typeof public_key !== 'string' || typeof signature !== 'string') return null
  try {
    const key = createPublicKey(public_key)
    return key.asymmetricKeyType === 'ed25519' ? { key, signature: Buffer.from(signature, 'base64') } : null
  } catch {
    return null
  }
}

function ed25519(source: string, kind: 'private' | 'public', read: () => KeyObject): KeyObject {
  let key: KeyObject
  try {
    key = read()
  } catch (error) {
    throw new CooperbenchError('USAGE', `${source} holds no ${kind} key in PEM (${(error as Error).message})`, { hint: KEY_HINT })
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new CooperbenchError('USAGE', `${source} holds a key of type ${key.asymmetricKeyType}, not Ed25519`, { hint: KEY_HINT })
  return key
}
