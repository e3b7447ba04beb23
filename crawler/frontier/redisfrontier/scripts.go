package redisfrontier

import "github.com/redis/go-redis/v9"

// The Lua scripts below are the frontier's only writes, so every change of
// a partition is atomic. Each script touches the keys of one partition (or
// the scan's own keys), which share a hash tag, so it runs on one Cluster
// node. Every script that changes what a partition holds (XLEN of the
// stream + ZCARD of the retry set) bumps the partition's "ver" counter;
// Pop's drain check relies on it (see drain.go).
//
// Admission times of recrawl scans are whole seconds since the scan was
// created; a URL is admitted again once more than RecrawlAfter seconds
// passed on that clock, which guarantees that more than RecrawlAfter
// passed in real time.
//
// Stream entries have the fields u (URL), d (depth), r (referrer),
// a (deliveries before this entry was written) and e (last error).

// luaFields turns a flat field/value array into a table.
const luaFields = `
local function fields(a)
  local t = {}
  for i = 1, #a, 2 do t[a[i]] = a[i + 1] end
  return t
end
local function nowms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function deadletter(dead, c, deadMax, f, att, cause)
  redis.call('XADD', dead, 'MAXLEN', '~', deadMax, '*',
    'u', f.u, 'd', f.d, 'r', f.r, 'a', att, 'e', cause)
  redis.call('HINCRBY', c, 'dead', 1)
end
`

// metaScript creates the scan's parameters unless they exist and returns
// them. KEYS: meta. ARGV: field, value, ...
var metaScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  redis.call('HSET', KEYS[1], 'created', t[1], unpack(ARGV))
end
return redis.call('HGETALL', KEYS[1])
`)

// admitScript dedupes and enqueues jobs of one partition, in order.
// KEYS: q, c, delay, budget (c again when the budget lives elsewhere),
// then one seen bucket per job. ARGV: recrawl seconds (0: seen buckets are
// sets), maxQueued, maxSeen, maxPages (budget counted here; 0: not here),
// allow (jobs this call may admit; -1: any), epoch, then per job: hash,
// url, depth, referrer. Returns one code per job (see admitCode).
var admitScript = redis.NewScript(`
local q, c, delay, budget = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local recrawl, maxQueued, maxSeen = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local maxPages, allow, epoch = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local now = 0
if recrawl > 0 then now = tonumber(redis.call('TIME')[1]) - epoch end
local queued = redis.call('XLEN', q) + redis.call('ZCARD', delay)
local seen = tonumber(redis.call('HGET', c, 'seen') or '0')
local used = 0
if maxPages > 0 then used = tonumber(redis.call('GET', budget) or '0') end
local codes, added, grew = {}, 0, 0
for i = 1, #KEYS - 4 do
  local b, a = KEYS[4 + i], 6 + (i - 1) * 4
  local h = ARGV[a + 1]
  local code
  if (maxPages > 0 and used >= maxPages) or (allow >= 0 and added >= allow) then
    code = 3
  else
    local known, fresh
    if recrawl == 0 then
      known = redis.call('SISMEMBER', b, h) == 1
      fresh = not known
    else
      local t = redis.call('HGET', b, h)
      known = t ~= false
      fresh = (not known) or (now - tonumber(t) > recrawl)
    end
    if not fresh then
      code = 2
    elseif not known and seen >= maxSeen then
      code = 5
    else
      if recrawl == 0 then redis.call('SADD', b, h) else redis.call('HSET', b, h, now) end
      if not known then seen = seen + 1; grew = grew + 1 end
      if queued >= maxQueued then
        code = 4
      else
        redis.call('XADD', q, '*', 'u', ARGV[a + 2], 'd', ARGV[a + 3], 'r', ARGV[a + 4], 'a', 0, 'e', '')
        queued, added, used = queued + 1, added + 1, used + 1
        code = 1
      end
    end
  end
  codes[i] = code
end
if grew > 0 then redis.call('HINCRBY', c, 'seen', grew) end
if added > 0 then
  redis.call('HINCRBY', c, 'admitted', added)
  redis.call('HINCRBY', c, 'ver', 1)
  if maxPages > 0 then redis.call('INCRBY', budget, added) end
end
return codes
`)

// freshScript reports, per job, whether admitScript would find its URL
// new (1) or not (0); it changes nothing. KEYS: seen buckets. ARGV:
// recrawl seconds, epoch, hashes.
var freshScript = redis.NewScript(`
local recrawl, epoch = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = 0
if recrawl > 0 then now = tonumber(redis.call('TIME')[1]) - epoch end
local out = {}
for i = 1, #KEYS do
  local h = ARGV[2 + i]
  if recrawl == 0 then
    out[i] = 1 - redis.call('SISMEMBER', KEYS[i], h)
  else
    local t = redis.call('HGET', KEYS[i], h)
    if t == false or now - tonumber(t) > recrawl then out[i] = 1 else out[i] = 0 end
  end
end
return out
`)

// reserveScript takes up to ARGV[1] pages of the budget KEYS[1] of at most
// ARGV[2] pages and returns how many it took.
var reserveScript = redis.NewScript(`
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local g = math.min(tonumber(ARGV[1]), math.max(0, tonumber(ARGV[2]) - used))
if g > 0 then redis.call('INCRBY', KEYS[1], g) end
return g
`)

// claimScript marks one URL seen. KEYS: c, bucket. ARGV: recrawl seconds,
// maxSeen, hash, epoch. Returns 1 new, 0 seen before, 2 seen set full.
var claimScript = redis.NewScript(`
local c, b = KEYS[1], KEYS[2]
local recrawl, maxSeen, h, epoch = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local seen = tonumber(redis.call('HGET', c, 'seen') or '0')
if recrawl == 0 then
  if redis.call('SISMEMBER', b, h) == 1 then return 0 end
  if seen >= maxSeen then return 2 end
  redis.call('SADD', b, h)
else
  local now = tonumber(redis.call('TIME')[1]) - epoch
  local t = redis.call('HGET', b, h)
  if t ~= false and now - tonumber(t) <= recrawl then return 0 end
  if t == false and seen >= maxSeen then return 2 end
  redis.call('HSET', b, h, now)
  if t ~= false then return 1 end
end
redis.call('HINCRBY', c, 'seen', 1)
return 1
`)

// leaseScript prepares a partition for leasing and hands out the jobs
// that need a script: it moves due retries back to the stream, then
// reclaims up to n jobs whose lease expired (dead-lettering those
// delivered maxAttempts times). New jobs are read by an XREADGROUP that
// follows it in the same round trip (see Frontier.lease). Reclaiming scans
// the pending entries from a cursor kept in c; after a full pass that
// found nothing it rests for pause ms. KEYS: q, c, delay, dead. ARGV:
// consumer, visibility ms, maxAttempts, dead-letter bound, n, pause ms.
// Returns {1, {{id, fields, attempt}, ...}} or, with nothing reclaimed,
// {0, outstanding, ver}.
var leaseScript = redis.NewScript(luaFields + `
local q, c, delay, dead = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local consumer, vis, maxAtt, deadMax = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local n, pause = tonumber(ARGV[5]), tonumber(ARGV[6])
local now = nowms()
local changed = false
for _, m in ipairs(redis.call('ZRANGEBYSCORE', delay, '-inf', now, 'LIMIT', 0, 16)) do
  local j = cjson.decode(m)
  redis.call('XADD', q, '*', 'u', j.u, 'd', j.d, 'r', j.r, 'a', j.a, 'e', j.e)
  redis.call('ZREM', delay, m)
  changed = true
end
local out = {}
local st = redis.call('HMGET', c, 'cursor', 'reclaim_at')
if now >= tonumber(st[2] or '0') then
  local cursor = st[1] or '0-0'
  for _ = 1, 4 do
    local r = redis.call('XAUTOCLAIM', q, 'w', consumer, vis, cursor, 'COUNT', n - #out)
    cursor = r[1]
    for _, e in ipairs(r[2]) do
      local f = fields(e[2])
      local p = redis.call('XPENDING', q, 'w', e[1], e[1], 1)[1]
      local att = tonumber(f.a) + p[4]
      if att <= maxAtt then
        out[#out + 1] = {e[1], e[2], att}
      else
        -- Delivered maxAtt times and never acknowledged: the job kills
        -- or stalls its workers.
        redis.call('XACK', q, 'w', e[1])
        redis.call('XDEL', q, e[1])
        local cause = 'not acknowledged within the visibility timeout'
        if f.e ~= '' then cause = cause .. '; last error: ' .. f.e end
        deadletter(dead, c, deadMax, f, att - 1, cause)
        changed = true
      end
    end
    if cursor == '0-0' or #out >= n then break end
  end
  local rest = now
  if cursor == '0-0' and #out == 0 then rest = now + pause end
  redis.call('HSET', c, 'cursor', cursor, 'reclaim_at', rest)
end
if changed then redis.call('HINCRBY', c, 'ver', 1) end
if #out > 0 then return {1, out} end
return {0, redis.call('XLEN', q) + redis.call('ZCARD', delay), tonumber(redis.call('HGET', c, 'ver') or '0')}
`)

// doneScript acknowledges deliveries. KEYS: q, c. ARGV: entry IDs (at
// most maxSettle). Returns, per ID, 1 if it was pending and is
// acknowledged now, else 0. The acknowledged entries are deleted in one
// XDEL.
var doneScript = redis.NewScript(`
local q, c = KEYS[1], KEYS[2]
local out, acked = {}, {}
for i, id in ipairs(ARGV) do
  out[i] = redis.call('XACK', q, 'w', id)
  if out[i] == 1 then acked[#acked + 1] = id end
end
if #acked > 0 then
  redis.call('XDEL', q, unpack(acked))
  redis.call('HINCRBY', c, 'done', #acked)
  redis.call('HINCRBY', c, 'ver', 1)
end
return out
`)

// failScript acknowledges a failed delivery and schedules a retry after an
// exponential backoff, or dead-letters the job after maxAttempts
// deliveries. KEYS: q, c, delay, dead. ARGV: id, cause, maxAttempts, base
// ms, cap ms, jitter factor, dead-letter bound. Returns {-1} when the
// delivery is not pending, {0, attempts} when dead-lettered, {1, attempts,
// delay ms} when scheduled.
var failScript = redis.NewScript(luaFields + `
local q, c, delay, dead = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, cause, maxAtt = ARGV[1], ARGV[2], tonumber(ARGV[3])
local base, cap, jitter, deadMax = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local p = redis.call('XPENDING', q, 'w', id, id, 1)[1]
if not p then return {-1} end
local e = redis.call('XRANGE', q, id, id)[1]
redis.call('XACK', q, 'w', id)
redis.call('HINCRBY', c, 'ver', 1)
if not e then return {-1} end
redis.call('XDEL', q, id)
local f = fields(e[2])
local att = tonumber(f.a) + p[4]
if att >= maxAtt then
  deadletter(dead, c, deadMax, f, att, cause)
  return {0, att}
end
local d = math.floor(math.min(cap, base * 2 ^ (att - 1)) * jitter)
redis.call('ZADD', delay, nowms() + d, cjson.encode({u = f.u, d = f.d, r = f.r, a = tostring(att), e = cause}))
redis.call('HINCRBY', c, 'retried', 1)
return {1, att, d}
`)

// releaseScript makes leased jobs available again at once; the delivery
// being given back does not count as an attempt, earlier ones (of a
// reclaimed job) still do. KEYS: q, c. ARGV: entry IDs. Returns, per ID, 1
// if it was pending and is released now, else 0.
var releaseScript = redis.NewScript(`
local q, c = KEYS[1], KEYS[2]
local out, n = {}, 0
for i, id in ipairs(ARGV) do
  out[i] = 0
  local p = redis.call('XPENDING', q, 'w', id, id, 1)[1]
  local e = redis.call('XRANGE', q, id, id)[1]
  if p and e then
    redis.call('XACK', q, 'w', id)
    redis.call('XDEL', q, id)
    local f = e[2]
    for k = 1, #f, 2 do
      if f[k] == 'a' then f[k + 1] = tonumber(f[k + 1]) + p[4] - 1 end
    end
    redis.call('XADD', q, '*', unpack(f))
    out[i] = 1
    n = n + 1
  end
end
if n > 0 then redis.call('HINCRBY', c, 'ver', 1) end
return out
`)

// stateScript reads what a partition holds and its version, atomically.
// KEYS: q, c, delay. Returns {outstanding, ver}.
var stateScript = redis.NewScript(`
return {redis.call('XLEN', KEYS[1]) + redis.call('ZCARD', KEYS[3]), tonumber(redis.call('HGET', KEYS[2], 'ver') or '0')}
`)

// countsScript reads a partition's counts. KEYS: q, c, delay. Returns
// {entries, pending, delayed, admitted, done, dead, seen}.
var countsScript = redis.NewScript(`
local q, c, delay = KEYS[1], KEYS[2], KEYS[3]
local entries, pending = 0, 0
if redis.call('EXISTS', q) == 1 then
  entries = redis.call('XLEN', q)
  pending = redis.call('XPENDING', q, 'w')[1]
end
local v = redis.call('HMGET', c, 'admitted', 'done', 'dead', 'seen')
local out = {entries, pending, redis.call('ZCARD', delay)}
for i = 1, 4 do out[3 + i] = tonumber(v[i] or '0') end
return out
`)

// pruneScript deletes consumer ARGV[1] of stream KEYS[1] if it holds no
// lease (deleting a consumer drops its pending entries).
var pruneScript = redis.NewScript(`
if #redis.call('XPENDING', KEYS[1], 'w', '-', '+', 1, ARGV[1]) == 0 then
  return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], 'w', ARGV[1])
end
return 0
`)
