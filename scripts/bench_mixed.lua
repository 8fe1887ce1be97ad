-- wrk script for scripts/bench_pages.py --load: the pages of BENCH_PATHS (one per line) round-robin,
-- with the signed-in session's Cookie header (BENCH_COOKIE); prints the summary as JSON at the end.
local paths = {}
for line in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^\n]+") do paths[#paths + 1] = line end
local cookie = os.getenv("BENCH_COOKIE") or ""
local n = 0

request = function()
  n = n % #paths + 1
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("GET", paths[n], headers)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('BENCH_JSON {"requests": %d, "seconds": %.3f, "p50": %d, "p95": %d, "p99": %d, ' ..
    '"non2xx": %d, "errors": %d}\n', summary.requests, summary.duration / 1e6, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), summary.errors.status, errors))
end
