-- wrk script of bench/run.sh: prints one machine-readable line with requests/s, p50 and p99
-- latency (ms), socket errors and answers with a status of 400 or more. An If-None-Match header
-- comes from the environment (BENCH_IF_NONE_MATCH) for the 304 runs. There is no response()
-- callback on purpose: wrk would then copy every answer's headers and body into Lua, which costs
-- the load generator more on the endpoints with more headers and so skews the comparison. run.sh
-- checks each endpoint's status once before measuring instead.

function init(args)
  local etag = os.getenv("BENCH_IF_NONE_MATCH")
  if etag and etag ~= "" then
    wrk.headers["If-None-Match"] = etag
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50=%.2f p99=%.2f socket_errors=%d bad_status=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
