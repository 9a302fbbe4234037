-- Rotates through the paths in BENCH_PATHS (one per line) and sends BENCH_ETAG as If-None-Match
-- when set; prints the figures as one JSON line at the end.
local paths = {}
local file = io.open(os.getenv("BENCH_PATHS"), "r")
for line in file:lines() do paths[#paths + 1] = line end
file:close()
local etag = os.getenv("BENCH_ETAG") or ""
local counter = 0

request = function()
  counter = counter + 1
  local headers = {}
  if etag ~= "" then headers["If-None-Match"] = etag end
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "bad_status": %d, "timeouts": %d, "connect_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.timeout, summary.errors.connect))
end
