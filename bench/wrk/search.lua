-- GET /api/search with the queries of BENCH_QUERIES (one per line, URL-encoded here),
-- in order, round robin; done() prints "p50_ms p95_ms requests" (wrk --latency has no p95).
local queries = {}
for line in io.lines(os.getenv("BENCH_QUERIES")) do
  if #line > 0 then
    queries[#queries + 1] = line:gsub("([^%w%-%.%_%~])", function(c) return string.format("%%%02X", string.byte(c)) end)
  end
end
-- BENCH_AUTH: the Authorization header's value (wrk.format's headers replace wrk -H ones)
local headers = {["Accept"] = "application/vnd.api+json"}
if os.getenv("BENCH_AUTH") then
  headers["Authorization"] = os.getenv("BENCH_AUTH")
end
local i = 0
request = function()
  i = i % #queries + 1
  return wrk.format("GET", "/api/search?filter%5BsearchText%5D=" .. queries[i] .. "&page%5Bsize%5D=20", headers)
end
done = function(summary, latency, requests)
  io.write(string.format("SEARCH %.3f %.3f %d %d\n", latency:percentile(50) / 1000,
                         latency:percentile(95) / 1000, summary.requests,
                         summary.errors.status + summary.errors.connect + summary.errors.read))
end
