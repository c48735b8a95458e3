/**
 * The Redis bus's Lua scripts: atomic and idempotent, so ioredis may resend one after a dropped connection (reply lost) without
 * losing or repeating a message. Only Redis 2.6+ commands (single-element LPOP, RPUSH, HSETNX, SADD, EXPIRE).
 */

/**
 * Pushes messages to inboxes, at most once per message id. KEYS: marker, messages (hash), read (set), finished (set), inbox…
 * ARGV: ttl, requireMarker ('1'/'0'), then per message: inbox KEYS index, id, json, recipient, push ('1'/'0').
 *
 * With requireMarker and no marker, nothing is written and `{-1}` returned: Redis lost this bus' keys, to restore first (inboxes
 * refill in send order). Else a message is pushed when `push` is '1' and it is neither recorded (pushed) nor read; it is recorded
 * either way. Returns per message `pushed * 2 + recipientFinished`.
 */
export const SEND_SCRIPT = `
local ttl = tonumber(ARGV[1])
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local out = {}
local i = 3
while i <= #ARGV do
  local inbox = KEYS[tonumber(ARGV[i])]
  local id, json, recipient, push = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local pushed = 0
  if push == '1' and redis.call('HEXISTS', KEYS[2], id) == 0 and redis.call('SISMEMBER', KEYS[3], id) == 0 then
    redis.call('RPUSH', inbox, json)
    redis.call('EXPIRE', inbox, ttl)
    pushed = 1
  end
  redis.call('HSETNX', KEYS[2], id, json)
  out[#out + 1] = pushed * 2 + redis.call('SISMEMBER', KEYS[4], recipient)
  i = i + 5
end
redis.call('EXPIRE', KEYS[2], ttl)
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ttl) end
return out
`

/**
 * Drains an inbox (LPOP until empty) into a scratch list named by a per-drain token, returning what was popped; resent with the
 * same token (reply lost), it returns the same messages. KEYS: inbox, scratch, marker. ARGV: ttl. Returns `{markerExists, {json…}}`.
 */
export const DRAIN_SCRIPT = `
local marker = redis.call('EXISTS', KEYS[3])
if marker == 1 then redis.call('EXPIRE', KEYS[3], ARGV[1]) end
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {marker, redis.call('LRANGE', KEYS[2], 0, -1)}
end
local items = {}
while true do
  local item = redis.call('LPOP', KEYS[1])
  if not item then break end
  items[#items + 1] = item
  redis.call('RPUSH', KEYS[2], item)
end
if #items > 0 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
return {marker, items}
`

/**
 * Records read receipts, finished agents and transcript entries; optionally sets the marker.
 * KEYS: read (set), finished (set), messages (hash), marker.
 * ARGV: ttl, n, id × n, m, agent × m, k, (id, json) × k, setMarker ('1'/'0').
 */
export const SYNC_SCRIPT = `
local ttl = tonumber(ARGV[1])
local i = 2
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('SADD', KEYS[1], ARGV[i]); i = i + 1 end
if n > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
local m = tonumber(ARGV[i]); i = i + 1
for _ = 1, m do redis.call('SADD', KEYS[2], ARGV[i]); i = i + 1 end
if m > 0 then redis.call('EXPIRE', KEYS[2], ttl) end
local k = tonumber(ARGV[i]); i = i + 1
for _ = 1, k do redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]); i = i + 2 end
if k > 0 then redis.call('EXPIRE', KEYS[3], ttl) end
if ARGV[i] == '1' then redis.call('SET', KEYS[4], '1', 'EX', ttl) end
return 1
`
