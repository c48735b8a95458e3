import { describe, expect, it } from 'vitest'
import { FrameReader, Frames, frame } from '../src/modal/host-frames.js'

describe('frames between the host Modal stand-in and its sandbox server', () => {
  it('come out whole and in order however the bytes are cut', () => {
    const sent = [
      frame(Frames.stdout, Buffer.from('hello')),
      frame(Frames.stderr, Buffer.alloc(70_000, 7)),
      frame(Frames.stdinEnd),
      frame(Frames.exit, Buffer.from('0')),
    ]
    const bytes = Buffer.concat(sent)
    for (const cut of [1, 3, 5, 4096, bytes.length]) {
      const got: Array<[number, number]> = []
      const reader = new FrameReader((kind, payload) => got.push([kind, payload.length]))
      for (let offset = 0; offset < bytes.length; offset += cut) reader.push(bytes.subarray(offset, offset + cut))
      expect(got).toEqual([
        [Frames.stdout, 5],
        [Frames.stderr, 70_000],
        [Frames.stdinEnd, 0],
        [Frames.exit, 1],
      ])
    }
  })
})
