import { describeBusConformance, type RedisServerFixture, redisServerSkipReason, startRedisServer } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { RedisBus } from '../src/index.js'

let server: RedisServerFixture | undefined
afterAll(async () => {
  await server?.stop()
})

describeBusConformance('redis', {
  skip: redisServerSkipReason(),
  createBus: async () => {
    server = await startRedisServer()
    return new RedisBus({ url: server.url, operationTimeoutMs: 2_000 })
  },
  restart: async () => {
    if (!server) throw new Error('the redis server was not started')
    await server.restart({ downtimeMs: 300 })
  },
})
