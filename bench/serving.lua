-- wrk script of bench/serving: POSTs the body in $BODY_FILE as JSON and prints one line of
-- figures that bench/serving reads: requests/s, p50 and p99 latency in ms, non-2xx answers,
-- socket errors, requests.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    summary.requests))
end
