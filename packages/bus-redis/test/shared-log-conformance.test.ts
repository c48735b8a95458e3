import { describeSharedLogConformance, type RedisServerFixture, redisServerSkipReason, startRedisServer } from '@cooperbench/testkit'
import { afterAll } from 'vitest'
import { RedisBus } from '../src/index.js'

let server: RedisServerFixture | undefined
afterAll(async () => {
  await server?.stop()
})

// The logs the team's task list is kept in (`RedisBus.openLog`: a stream each, appended by one script).
describeSharedLogConformance('redis', {
  skip: redisServerSkipReason(),
  createBus: async () => {
    server = await startRedisServer()
    return new RedisBus({ url: server.url, operationTimeoutMs: 2_000 })
  },
})
