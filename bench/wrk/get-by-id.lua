-- GET /api/contacts/{id} with ids spread over the demo set (BENCH_MAX_ID, default 100000)
local max_id = tonumber(os.getenv("BENCH_MAX_ID") or "100000")
math.randomseed(42)
request = function()
  return wrk.format("GET", "/api/contacts/" .. math.random(1, max_id), {["Accept"] = "application/vnd.api+json"})
end
