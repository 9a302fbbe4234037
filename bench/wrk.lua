-- Rotates through the paths in BENCH_PATHS (one per line) and sends BENCH_ETAG as If-None-Match
-- when set; prints the figures as one JSON line at the end. Each thread has its own copy of this
-- script: thread n of BENCH_THREADS takes paths n, n + BENCH_THREADS, ..., so that no two
-- threads send the same path (the second would find the first one's answer remembered).
local paths = {}
local file = io.open(os.getenv("BENCH_PATHS"), "r")
for line in file:lines() do paths[#paths + 1] = line end
file:close()
local etag = os.getenv("BENCH_ETAG") or ""
local step = tonumber(os.getenv("BENCH_THREADS") or "1")
local threads = 0
local counter = 0

setup = function(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

request = function()
  local headers = {}
  if etag ~= "" then headers["If-None-Match"] = etag end
  local path = paths[((counter * step + offset) % #paths) + 1]
  counter = counter + 1
  return wrk.format("GET", path, headers)
end

done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "bad_status": %d, "timeouts": %d, "connect_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.timeout, summary.errors.connect))
end
