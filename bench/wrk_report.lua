-- wrk script of bench/run.sh: counts the status codes each thread saw and prints one
-- machine-readable line: requests/s, p50 and p99 latency (ms), errors, statuses.
-- An If-None-Match header comes from the environment (BENCH_IF_NONE_MATCH) for the 304 runs.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  local etag = os.getenv("BENCH_IF_NONE_MATCH")
  if etag and etag ~= "" then
    wrk.headers["If-None-Match"] = etag
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local seen = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      seen[status] = (seen[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(seen) do
    table.insert(parts, status .. "=" .. count)
  end
  table.sort(parts)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format("RESULT rps=%.1f p50=%.2f p99=%.2f socket_errors=%d bad_status=%d statuses=%s\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, errors, e.status, table.concat(parts, ",")))
end
