-- GET /api/contacts/{id} with ids spread over the demo set (BENCH_MAX_ID, default 100000)
local max_id = tonumber(os.getenv("BENCH_MAX_ID") or "100000")
math.randomseed(42)
-- NB: wrk.format ignores wrk.headers (-H) when given headers: merge them here
local headers
request = function()
  if headers == nil then
    headers = {["Accept"] = "application/vnd.api+json"}
    for k, v in pairs(wrk.headers) do headers[k] = v end
  end
  return wrk.format("GET", "/api/contacts/" .. math.random(1, max_id), headers)
end
