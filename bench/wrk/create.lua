-- POST /api/contacts: a new contact per request, owned by BENCH_OWNER in BENCH_ORG
local owner = os.getenv("BENCH_OWNER") or "1"
local org = os.getenv("BENCH_ORG") or "1"
local n = 0
-- NB: wrk.format ignores wrk.headers (-H) when given headers: merge them here
local headers
request = function()
  if headers == nil then
    headers = {["Content-Type"] = "application/vnd.api+json", ["Accept"] = "application/vnd.api+json"}
    for k, v in pairs(wrk.headers) do headers[k] = v end
  end
  n = n + 1
  local body = string.format(
    '{"data":{"type":"contacts","attributes":{"firstName":"Bench","lastName":"Load %d","primaryEmail":"bench%d@example.com"},' ..
    '"relationships":{"owner":{"data":{"type":"users","id":"%s"}},"organization":{"data":{"type":"organizations","id":"%s"}}}}}',
    n, n, owner, org)
  return wrk.format("POST", "/api/contacts", headers, body)
end
