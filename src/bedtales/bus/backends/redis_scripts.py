"""The Lua scripts of the redis delivery backend (see :mod:`bedtales.bus.backends.redis`).

Each operation is one script, loaded once with ``register_script``: one round trip, and
atomic inside Redis.
"""

from __future__ import annotations

DEDUP_TTL_S = 86400
STATE_TTL_S = 7 * 86400
# After a full XAUTOCLAIM pass over a pending list longer than SCAN_REST_ABOVE, the scan
# rests SCAN_REST_MS: the most a delivery whose lease ran out then waits beyond it.
SCAN_REST_ABOVE = 1000
SCAN_REST_MS = 1000
# Redis measures a stream lease by idle time, and XAUTOCLAIM takes entries idle longer than
# one number. So every stream lease is dated back to reach this idle time exactly when it
# runs out (XCLAIM IDLE): any claimer then honours the lease its holder asked for.
LEASE_HORIZON_MS = 7 * 86400 * 1000

# Helpers every script starts with. KEYS[1] is the events stream, ARGV[1] the key prefix.
_COMMON = f"""
local STREAM, P, HORIZON = KEYS[1], ARGV[1], {LEASE_HORIZON_MS}
local STATE_TTL, DEDUP_TTL = {STATE_TTL_S}, {DEDUP_TTL_S}
local SCAN_REST_ABOVE, SCAN_REST_MS = {SCAN_REST_ABOVE}, {SCAN_REST_MS}
local clock = redis.call('TIME')
local NOW = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
""" + (
    """
local function field(f, name)
  for i = 1, #f, 2 do if f[i] == name then return f[i + 1] end end
end
local function older(a, b)
  local am, as = string.match(a, '(%d+)-(%d+)')
  local bm, bs = string.match(b, '(%d+)-(%d+)')
  if tonumber(am) ~= tonumber(bm) then return tonumber(am) < tonumber(bm) end
  return tonumber(as) < tonumber(bs)
end
-- kind, token (delivery count or attempt), ref (entry or event id), consumer
local function parse(receipt)
  local kind, token, rest = string.match(receipt, '^(%a):(%d+):(.*)$')
  if kind == 's' then
    local ref, consumer = string.match(rest, '^([^:]+):(.*)$')
    return kind, token, ref, consumer
  end
  return kind, token, rest, ''
end
-- Whether a receipt is still the live lease of its delivery.
local function holds(kind, target, ref, token, consumer)
  if kind == 's' then
    local p = redis.call('XPENDING', STREAM, target, ref, ref, 1)[1]
    return p ~= nil and p[2] == consumer and p[4] == tonumber(token)
  end
  return redis.call('HGET', P .. 'attempt:' .. target, ref) == token
end
local function settle(kind, target, ref)
  if kind == 's' then return redis.call('XACK', STREAM, target, ref) end
  redis.call('ZREM', P .. 'retry:' .. target, ref)
  redis.call('HDEL', P .. 'body:' .. target, ref)
  redis.call('HDEL', P .. 'attempt:' .. target, ref)
end
-- The next claim of a scheduled delivery counts attempt + 1.
local function schedule(target, event_id, body, attempt, due)
  redis.call('ZADD', P .. 'retry:' .. target, due, event_id)
  redis.call('HSET', P .. 'body:' .. target, event_id, body)
  redis.call('HSET', P .. 'attempt:' .. target, event_id, attempt)
end
local function state(name, attempts, err)
  return name .. '\\t' .. attempts .. '\\t' .. NOW .. '\\t' .. (err or '')
end
local function record(skey, event_id, target, value)
  -- a new field means the hash may be new too: only then is the expiry (re)set
  if skey ~= '' and redis.call('HSET', skey, event_id .. '\\t' .. target, value) == 1 then
    redis.call('EXPIRE', skey, STATE_TTL)
  end
end
local function wake() redis.call('XADD', P .. 'wake', 'MAXLEN', 16, '*', 'w', 1) end
"""
)

# ARGV[2]: JSON [[event id, body, ",targets,", state key, detail-type], ...]. One JSON
# argument rather than many: redis-py packs each argument in Python, slowly.
_PUBLISH = """
local added, known = 0, {}
for _, t in ipairs(redis.call('SMEMBERS', P .. 'groups')) do known[t] = true end
for _, e in ipairs(cjson.decode(ARGV[2])) do
  local id, body, targets, skey = e[1], e[2], e[3], e[4]
  if redis.call('SET', P .. 'seen:' .. id, 1, 'NX', 'EX', DEDUP_TTL) then
    local states = {id, e[5]}
    for t in string.gmatch(targets, '[^,]+') do
      -- created before the XADD, so the new group sees this event
      if not known[t] then
        known[t] = true
        redis.call('SADD', P .. 'groups', t)
        redis.pcall('XGROUP', 'CREATE', STREAM, t, '$', 'MKSTREAM')
      end
      states[#states + 1] = id .. '\\t' .. t
      states[#states + 1] = state('pending', 0)
    end
    if skey ~= '' then
      redis.call('HSET', skey, unpack(states))
      redis.call('EXPIRE', skey, STATE_TTL)
    end
    redis.call('XADD', STREAM, '*', 'event', body, 'targets', targets)
    added = added + 1
  end
end
return added
"""


# ARGV: consumer, lease ms, limit, targets... Returns one JSON text (one reply to parse):
# {"d": [[target, receipt], ...], "b": {ref: event, ...}}, each event once.
_CLAIM = """
local consumer, lease, remaining = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local mine = ':' .. consumer
local bodies, out, sent = {}, {}, {}
local function give(t, receipt, ref, body)
  out[#out + 1] = {t, receipt}
  if not sent[ref] then
    sent[ref] = true
    bodies[#bodies + 1] = cjson.encode(ref) .. ':' .. body
  end
end
-- Date stream leases so that they reach the horizon exactly when they run out.
local function lease_all(t, ids)
  if #ids == 0 then return end
  local args = {STREAM, t, consumer, 0}
  for _, id in ipairs(ids) do args[#args + 1] = id end
  args[#args + 1], args[#args + 2], args[#args + 3] = 'IDLE', HORIZON - lease, 'JUSTID'
  redis.call('XCLAIM', unpack(args))
end
local function retries(t, n)
  local zkey, got = P .. 'retry:' .. t, 0
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', zkey, '-inf', NOW, 'LIMIT', 0, n)) do
    local body = redis.call('HGET', P .. 'body:' .. t, id)
    if body then
      local attempt = redis.call('HINCRBY', P .. 'attempt:' .. t, id, 1)
      redis.call('ZADD', zkey, NOW + lease, id)
      give(t, 'r:' .. attempt .. ':' .. id, 'r' .. id, body)
      got = got + 1
    else
      redis.call('ZREM', zkey, id)
    end
  end
  return got
end
-- Deliveries whose lease ran out while their consumer held them: that consumer is gone.
-- A scan goes on from where the last one stopped; after a full pass over a long pending
-- list it rests a while, as scanning one costs more than the hot path.
local function abandoned(t, n)
  local ckey = P .. 'cursor:' .. t
  local cursor = redis.call('GET', ckey) or '0-0'
  if cursor == 'rest' then return 0 end
  local res = redis.call('XAUTOCLAIM', STREAM, t, consumer, HORIZON, cursor, 'COUNT', n)
  if res[1] ~= '0-0' then
    redis.call('SET', ckey, res[1])
  elseif redis.call('XPENDING', STREAM, t)[1] > SCAN_REST_ABOVE then
    redis.call('SET', ckey, 'rest', 'PX', SCAN_REST_MS)
  elseif cursor ~= '0-0' then
    redis.call('DEL', ckey)
  end
  local ids = {}
  for _, e in ipairs(res[2]) do
    local count = redis.call('XPENDING', STREAM, t, e[1], e[1], 1)[1][4]
    give(t, 's:' .. count .. ':' .. e[1] .. mine, 's' .. e[1], field(e[2], 'event'))
    ids[#ids + 1] = e[1]
  end
  lease_all(t, ids)
  return #ids
end
local function fresh(t, n)
  local ids, needle = {}, ',' .. t .. ','  -- targets are stored as ",a,b,"
  for _ = 1, 4 do
    local want = n - #ids
    if want <= 0 then break end
    local res = redis.call('XREADGROUP', 'GROUP', t, consumer, 'COUNT', want,
      'STREAMS', STREAM, '>')
    if not res then break end
    for _, e in ipairs(res[1][2]) do
      if string.find(field(e[2], 'targets'), needle, 1, true) then
        give(t, 's:1:' .. e[1] .. mine, 's' .. e[1], field(e[2], 'event'))
        ids[#ids + 1] = e[1]
      else
        redis.call('XACK', STREAM, t, e[1])
      end
    end
    if #res[1][2] < want then break end
  end
  lease_all(t, ids)
  return #ids
end
for i = 5, #ARGV do
  local t = ARGV[i]
  -- a fair share of what is left, so one busy target cannot take the whole batch
  local n = math.ceil(remaining / (#ARGV - i + 1))
  if n > 0 then
    local got = retries(t, n)
    if got < n and redis.call('SISMEMBER', P .. 'groups', t) == 1 then
      got = got + abandoned(t, n - got)
      if got < n then got = got + fresh(t, n - got) end
    end
    remaining = remaining - got
  end
end
if #out == 0 then return '{"d":[],"b":{}}' end
return '{"d":' .. cjson.encode(out) .. ',"b":{' .. table.concat(bodies, ',') .. '}}'
"""

# ARGV[2]: JSON {"s": [[target, consumer, lowest id, highest id, [[entry id, count, state
# key, state field], ...]], ...], "r": [[target, event id, attempt, state key, state field],
# ...]}. Stream deliveries come grouped by consumer, so one XPENDING checks a whole group.
_ACK = """
local batch, done = cjson.decode(ARGV[2]), {}
local function mark(skey, fld, token)
  if skey == '' then return end
  done[skey] = done[skey] or {}
  local fv = done[skey]
  fv[#fv + 1], fv[#fv + 2] = fld, state('done', token)
end
for _, r in ipairs(batch.r) do
  if holds('r', r[1], r[2], r[3], '') then
    settle('r', r[1], r[2])
    mark(r[4], r[5], r[3])
  end
end
for _, g in ipairs(batch.s) do
  local t, held, ids = g[1], {}, {}
  for _, p in ipairs(redis.call('XPENDING', STREAM, t, g[3], g[4], 1000000, g[2])) do
    held[p[1]] = p[4]
  end
  for _, d in ipairs(g[5]) do
    if held[d[1]] == tonumber(d[2]) then
      ids[#ids + 1] = d[1]
      mark(d[3], d[4], d[2])
    end
  end
  for j = 1, #ids, 500 do
    redis.call('XACK', STREAM, t, unpack(ids, j, math.min(j + 499, #ids)))
  end
end
for skey, fv in pairs(done) do
  if redis.call('HSET', skey, unpack(fv)) > 0 then redis.call('EXPIRE', skey, STATE_TTL) end
end
"""


# ARGV: target, receipt, state key, event id, body, dead (0/1), delay ms, error.
_FAIL = """
local t, skey, event_id, body, err = ARGV[2], ARGV[4], ARGV[5], ARGV[6], ARGV[9]
local kind, token, ref, consumer = parse(ARGV[3])
if not holds(kind, t, ref, token, consumer) then return -1 end
settle(kind, t, ref)
if ARGV[7] == '1' then
  redis.call('XADD', P .. 'dlq:' .. t, '*', 'event', body, 'attempts', token,
    'error', err, 'failed_at', NOW)
  record(skey, event_id, t, state('dead', token, err))
  return 1
end
schedule(t, event_id, body, token, NOW + tonumber(ARGV[8]))
record(skey, event_id, t, state('retrying', token, err))
wake()
return 0
"""

# ARGV: delay ms, then per delivery: target, receipt, event id, body.
_RELEASE = """
local n, due = 0, NOW + tonumber(ARGV[2])
for i = 3, #ARGV, 4 do
  local t = ARGV[i]
  local kind, token, ref, consumer = parse(ARGV[i + 1])
  if holds(kind, t, ref, token, consumer) then
    settle(kind, t, ref)
    schedule(t, ARGV[i + 2], ARGV[i + 3], tonumber(token) - 1, due)
    n = n + 1
  end
end
if n > 0 then wake() end
"""

# ARGV: lease ms, then per delivery: target, receipt.
_EXTEND = """
local lease = tonumber(ARGV[2])
for i = 3, #ARGV, 2 do
  local t = ARGV[i]
  local kind, token, ref, consumer = parse(ARGV[i + 1])
  if holds(kind, t, ref, token, consumer) then
    if kind == 's' then
      redis.call('XCLAIM', STREAM, t, consumer, 0, ref, 'IDLE', HORIZON - lease, 'JUSTID')
    else
      redis.call('ZADD', P .. 'retry:' .. t, 'XX', NOW + lease, ref)
    end
  end
end
"""

# ARGV per dead letter: target, entry id, event id, body, state key, error.
_REPLAY = """
local n = 0
for i = 2, #ARGV, 6 do
  local t = ARGV[i]
  if redis.call('XDEL', P .. 'dlq:' .. t, ARGV[i + 1]) == 1 then
    schedule(t, ARGV[i + 2], ARGV[i + 3], 0, NOW)
    record(ARGV[i + 4], ARGV[i + 2], t, state('pending', 0, ARGV[i + 5]))
    n = n + 1
  end
end
if n > 0 then wake() end
return n
"""

# Where a waiter should block from: the oldest read position among its targets' groups,
# the wake stream's end, and the milliseconds until its earliest scheduled delivery.
_WAIT = """
local top = redis.call('XREVRANGE', STREAM, '+', '-', 'COUNT', 1)[1]
local last = top and top[1] or '0-0'
local marks = {}
if redis.call('EXISTS', STREAM) == 1 then
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', STREAM)) do
    marks[field(g, 'name')] = field(g, 'last-delivered-id')
  end
end
local cursor, due = last, -1
for i = 2, #ARGV do
  local mark = marks[ARGV[i]] or last
  if older(mark, cursor) then cursor = mark end
  local first = redis.call('ZRANGE', P .. 'retry:' .. ARGV[i], 0, 0, 'WITHSCORES')
  if first[2] then
    local d = math.max(0, tonumber(first[2]) - NOW)
    if due < 0 or d < due then due = d end
  end
end
local w = redis.call('XREVRANGE', P .. 'wake', '+', '-', 'COUNT', 1)[1]
return {cursor, w and w[1] or '0-0', due}
"""

# Trim what every group is done with (older than each group's oldest pending entry and
# read position) and forget consumers that hold nothing and are gone or idle for long.
# ARGV: idle limit ms, our consumer when leaving (or ''), trim mode ('~' or '=').
_TIDY = """
if redis.call('EXISTS', STREAM) == 0 then return 0 end
local idle_limit, me, floor = tonumber(ARGV[2]), ARGV[3], nil
for _, g in ipairs(redis.call('XINFO', 'GROUPS', STREAM)) do
  local name, mark = field(g, 'name'), field(g, 'last-delivered-id')
  if field(g, 'pending') > 0 then mark = redis.call('XPENDING', STREAM, name)[2] end
  if floor == nil or older(mark, floor) then floor = mark end
  for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', STREAM, name)) do
    local cname = field(c, 'name')
    if field(c, 'pending') == 0 and (cname == me or field(c, 'idle') > idle_limit) then
      redis.call('XGROUP', 'DELCONSUMER', STREAM, name, cname)
    end
  end
end
if floor == nil then
  local top = redis.call('XREVRANGE', STREAM, '+', '-', 'COUNT', 1)[1]
  if not top then return 0 end
  floor = top[1]
end
return redis.call('XTRIM', STREAM, 'MINID', ARGV[4], floor)
"""

_BODIES = {
    "publish": _PUBLISH,
    "claim": _CLAIM,
    "ack": _ACK,
    "fail": _FAIL,
    "release": _RELEASE,
    "extend": _EXTEND,
    "replay": _REPLAY,
    "wait": _WAIT,
    "tidy": _TIDY,
}

# every script starts with the common helpers
SCRIPTS = {name: _COMMON + body for name, body in _BODIES.items()}
