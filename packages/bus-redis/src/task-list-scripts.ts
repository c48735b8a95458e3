/**
 * The Redis task list's Lua scripts: each change and its log entry in one step, so a claim is atomic (the reference's
 * `coop-task-claim` reads, then writes: two claimers can both win) and the log follows the changes' order. Every key written gets
 * `ttl` again. Task replies are `{outcome, owner, HGETALL…}`; `missing` says whether the set still exists ('1'/'0'), telling a
 * lost list from an unknown id.
 */

const VALID_STATUSES = `local valid = { open = true, in_progress = true, blocked = true, done = true }`

const TOUCH = `
local function touch(ttl, ...)
  for _, key in ipairs({ ... }) do redis.call('EXPIRE', key, ttl) end
end`

/** KEYS: task, all (set), log. ARGV: ttl, id, title, owner, created_by, created_at, metadata JSON, event JSON. 0 (no write) if the id is taken, else 1. */
export const CREATE_TASK_SCRIPT = `${TOUCH}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[2], 'title', ARGV[3], 'owner', ARGV[4], 'status', 'open',
  'created_by', ARGV[5], 'created_at', ARGV[6], 'last_note', '', 'metadata', ARGV[7])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('RPUSH', KEYS[3], ARGV[8])
touch(tonumber(ARGV[1]), KEYS[1], KEYS[2], KEYS[3])
return 1
`

/**
 * KEYS: task, all (set), log. ARGV: ttl, agent, event JSON. `missing`; `owned` with the owner when someone else holds it; else
 * `claimed` (owner and `in_progress` written, the event logged, unless the agent already held it in progress).
 */
export const CLAIM_TASK_SCRIPT = `${TOUCH}
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'missing', tostring(redis.call('EXISTS', KEYS[2])) } end
local owner = redis.call('HGET', KEYS[1], 'owner') or ''
if owner ~= '' and owner ~= ARGV[2] then
  return { 'owned', owner, unpack(redis.call('HGETALL', KEYS[1])) }
end
if owner ~= ARGV[2] or redis.call('HGET', KEYS[1], 'status') ~= 'in_progress' then
  redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'status', 'in_progress')
  redis.call('RPUSH', KEYS[3], ARGV[3])
  touch(tonumber(ARGV[1]), KEYS[1], KEYS[2], KEYS[3])
end
return { 'claimed', ARGV[2], unpack(redis.call('HGETALL', KEYS[1])) }
`

/**
 * KEYS: task, all (set), log. ARGV: ttl, agent, status, has note ('1'/'0'), note, event JSON.
 * Checks in the reference's order: `missing`, `not-owner` (with the owner), `invalid-status`; else `updated`.
 */
export const UPDATE_TASK_SCRIPT = `${TOUCH}
${VALID_STATUSES}
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'missing', tostring(redis.call('EXISTS', KEYS[2])) } end
local owner = redis.call('HGET', KEYS[1], 'owner') or ''
if owner ~= ARGV[2] then return { 'not-owner', owner, unpack(redis.call('HGETALL', KEYS[1])) } end
if not valid[ARGV[3]] then return { 'invalid-status' } end
redis.call('HSET', KEYS[1], 'status', ARGV[3])
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'last_note', ARGV[5]) end
redis.call('RPUSH', KEYS[3], ARGV[6])
touch(tonumber(ARGV[1]), KEYS[1], KEYS[2], KEYS[3])
return { 'updated', owner, unpack(redis.call('HGETALL', KEYS[1])) }
`

/** KEYS: all (set). ARGV: task key prefix (`cb:<run>:task:`). One snapshot: per task id in the set, `{id, HGETALL…}` (empty for a task gone). */
export const LIST_TASKS_SCRIPT = `
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  out[#out + 1] = { id, redis.call('HGETALL', ARGV[1] .. id) }
end
return out
`

/** KEYS: all (set), log. ARGV: task key prefix. Deletes every task of the set, the set and the log. */
export const CLEAR_TASKS_SCRIPT = `
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', ARGV[1] .. id) end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
`

/**
 * KEYS: open request (hash), recipient's set, log, response list. ARGV: ttl, id, from, to, kind, body, ts, event JSON. Returns 0
 * (writing nothing) when the id is taken, else 1. The hash is the reference's (`id`, `from`, `to`, `kind`, `body`, `ts` as strings).
 */
export const REQUEST_SCRIPT = `${TOUCH}
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[2], 'from', ARGV[3], 'to', ARGV[4], 'kind', ARGV[5], 'body', ARGV[6], 'ts', ARGV[7])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('RPUSH', KEYS[3], ARGV[8])
touch(tonumber(ARGV[1]), KEYS[1], KEYS[2], KEYS[3])
return 1
`

/**
 * KEYS: open request (hash), response list, log, responder's set. ARGV: ttl, responder, request id, then the request id, responder
 * and body as the reference's `json.dumps` strings, ts (a JSON number); cjson writes the requester (a plain word) alike. `unknown`
 * when the request is not open; `not-addressed` with its addressee; else `responded` with the requester, the response JSON (the
 * reference's keys and order) pushed, the request closed and the event logged.
 */
export const RESPOND_SCRIPT = `${TOUCH}
if redis.call('EXISTS', KEYS[1]) == 0 then return { 'unknown' } end
local to = redis.call('HGET', KEYS[1], 'to') or ''
if to ~= ARGV[2] then return { 'not-addressed', to } end
local from = redis.call('HGET', KEYS[1], 'from') or ''
local id, by, body, requester = ARGV[4], ARGV[5], ARGV[6], cjson.encode(from)
redis.call('RPUSH', KEYS[2], '{"id": ' .. id .. ', "from": ' .. by .. ', "to": ' .. requester .. ', "body": ' .. body .. ', "ts": ' .. ARGV[7] .. '}')
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[4], ARGV[3])
redis.call('RPUSH', KEYS[3], '{"kind": "response", "request_id": ' .. id .. ', "by": ' .. by .. ', "to": ' .. requester .. ', "body": ' .. body .. ', "ts": ' .. ARGV[7] .. '}')
touch(tonumber(ARGV[1]), KEYS[2], KEYS[3])
return { 'responded', from }
`

/**
 * KEYS: recipient's set. ARGV: open request key prefix (`cb:<run>:requests:open:`).
 * One snapshot: per id in the set, `{id, HGETALL…}` (empty when the request is gone), as {@link LIST_TASKS_SCRIPT} reads tasks.
 */
export const PENDING_SCRIPT = LIST_TASKS_SCRIPT
