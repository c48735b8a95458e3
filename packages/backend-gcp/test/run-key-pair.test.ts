import ssh2 from 'ssh2'
import { describe, expect, it } from 'vitest'
import { generateRunKeyPair, isWholeEd25519Pair } from '../src/ssh.js'

const { utils } = ssh2

describe('run key pairs', () => {
  it('are whole every time: 3000 pairs (ssh2 alone gives about 12 broken ones in as many) all parse, agree and carry 32 key bytes', () => {
    const broken = Array.from({ length: 3000 }, () => generateRunKeyPair()).filter((pair) => !isWholeEd25519Pair(pair.privateKey, pair.publicKey))
    expect(broken).toEqual([])
  })

  it('tells a pair whose public key lost its leading zero byte, as ssh2 writes one now and then, from a whole one', () => {
    // Draw raw ssh2 pairs until one is broken the known way (about one in 256).
    let raw = utils.generateKeyPairSync('ed25519')
    for (let i = 0; i < 5000 && isWholeEd25519Pair(raw.private, raw.public); i++) raw = utils.generateKeyPairSync('ed25519')
    expect(isWholeEd25519Pair(raw.private, raw.public)).toBe(false)
    const whole = generateRunKeyPair()
    expect(isWholeEd25519Pair(whole.privateKey, whole.publicKey)).toBe(true)
  })
})
