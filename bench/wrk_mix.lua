-- wrk script for bench/load.py and bench/faults.py (not a test).
-- Sends the requests of the Lua file named after "--" in turn (each thread starting
-- elsewhere in the list), counts good (< 400) and failed answers per second, and ends
-- with one line "WRK_JSON {...}": totals, socket errors, latency percentiles (ms) and
-- the per-second counts [epoch second, good, failed].

ok, failed = {}, {}
local prepared, at = {}, 1
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  for i, r in ipairs(dofile(args[1])) do
    prepared[i] = wrk.format(r.method, r.path, r.headers, r.body)
  end
  at = (offset * 7) % #prepared + 1
end

function request()
  local r = prepared[at]
  at = at % #prepared + 1
  return r
end

function response(status, headers, body)
  local second = os.time()
  if status < 400 then
    ok[second] = (ok[second] or 0) + 1
  else
    failed[second] = (failed[second] or 0) + 1
  end
end

function done(summary, latency, requests)
  local good, bad, seconds = {}, {}, {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("ok")) do good[s] = (good[s] or 0) + n; seconds[s] = true end
    for s, n in pairs(t:get("failed")) do bad[s] = (bad[s] or 0) + n; seconds[s] = true end
  end
  local rows = {}
  for s in pairs(seconds) do
    table.insert(rows, string.format("[%d, %d, %d]", s, good[s] or 0, bad[s] or 0))
  end
  table.sort(rows)
  local e = summary.errors
  local ms = function(us) return us / 1000 end
  io.write(string.format(
    'WRK_JSON {"duration_s": %.3f, "requests": %d, "bytes": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, "non_2xx_3xx": %d, ' ..
    '"latency_ms": {"mean": %.2f, "max": %.2f, "p50": %.2f, "p90": %.2f, "p99": %.2f, "p99.9": %.2f}, ' ..
    '"per_second": [%s]}\n',
    summary.duration / 1e6, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    ms(latency.mean), ms(latency.max), ms(latency:percentile(50)), ms(latency:percentile(90)),
    ms(latency:percentile(99)), ms(latency:percentile(99.9)),
    table.concat(rows, ", ")))
end
