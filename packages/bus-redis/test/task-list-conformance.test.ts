import { describeTaskListConformance, type RedisServerFixture, redisServerSkipReason, startRedisServer } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { RedisBus } from '../src/index.js'

let server: RedisServerFixture | undefined
afterAll(async () => {
  await server?.stop()
})

// 8 claimers, each on a connection of its own, race for 50 tasks in a row: the claim is one Lua
// script, so Redis serialises the races and exactly one claimer may win each.
describeTaskListConformance('redis', {
  skip: redisServerSkipReason(),
  claimers: 8,
  races: 50,
  createBus: async () => {
    server = await startRedisServer()
    return new RedisBus({ url: server.url, operationTimeoutMs: 2_000 })
  },
})
