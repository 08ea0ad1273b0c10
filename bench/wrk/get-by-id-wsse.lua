-- GET /api/contacts/{id} with Oro's WSSE: a fresh nonce and digest for every request
-- (digest = base64(sha1(nonce . created . key))), as a real WSSE client must send.
-- Environment: BENCH_USER (admin), BENCH_APIKEY, BENCH_MAX_ID (100000).
-- NB: SHA-1 runs in wrk's LuaJIT, on the client's CPU: the figure includes that cost.
local bit = require("bit")
local band, bor, bxor, bnot, rol, tobit = bit.band, bit.bor, bit.bxor, bit.bnot, bit.rol, bit.tobit
local rshift, lshift = bit.rshift, bit.lshift

local max_id = tonumber(os.getenv("BENCH_MAX_ID") or "100000")
local user = os.getenv("BENCH_USER") or "admin"
local key = os.getenv("BENCH_APIKEY") or error("BENCH_APIKEY is not set")

local function be32(h)
  return string.char(band(rshift(h, 24), 255), band(rshift(h, 16), 255), band(rshift(h, 8), 255), band(h, 255))
end

local function sha1(msg)
  local h0, h1, h2, h3, h4 = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
  local bits = #msg * 8
  msg = msg .. "\128" .. string.rep("\0", (55 - #msg) % 64) .. "\0\0\0\0" .. be32(bits)
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do
      local a, b, c, d = msg:byte(chunk + i * 4, chunk + i * 4 + 3)
      w[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
    end
    for i = 16, 79 do
      w[i] = rol(bxor(w[i - 3], w[i - 8], w[i - 14], w[i - 16]), 1)
    end
    local a, b, c, d, e = h0, h1, h2, h3, h4
    for i = 0, 79 do
      local f, k
      if i < 20 then f, k = bor(band(b, c), band(bnot(b), d)), 0x5A827999
      elseif i < 40 then f, k = bxor(b, c, d), 0x6ED9EBA1
      elseif i < 60 then f, k = bor(band(b, c), band(b, d), band(c, d)), 0x8F1BBCDC
      else f, k = bxor(b, c, d), 0xCA62C1D6 end
      local t = tobit(rol(a, 5) + f + e + k + w[i])
      e, d, c, b, a = d, c, rol(b, 30), a, t
    end
    h0, h1, h2, h3, h4 = tobit(h0 + a), tobit(h1 + b), tobit(h2 + c), tobit(h3 + d), tobit(h4 + e)
  end
  return be32(h0) .. be32(h1) .. be32(h2) .. be32(h3) .. be32(h4)
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = lshift(a, 16) + lshift(b or 0, 8) + (c or 0)
    local q = {rshift(n, 18), band(rshift(n, 12), 63), band(rshift(n, 6), 63), band(n, 63)}
    for j = 1, 4 do
      out[#out + 1] = (j <= 2 or (j == 3 and b) or (j == 4 and c)) and alphabet:sub(q[j] + 1, q[j] + 1) or "="
    end
  end
  return table.concat(out)
end

-- a unique nonce per request: 8 random bytes per thread, then a counter
local f = io.open("/dev/urandom", "rb")
local prefix = f:read(8)
f:close()
local counter = 0
math.randomseed(42)

request = function()
  counter = counter + 1
  local raw = prefix .. be32(counter)
  local created = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local digest = base64(sha1(raw .. created .. key))
  return wrk.format("GET", "/api/contacts/" .. math.random(1, max_id), {
    ["Accept"] = "application/vnd.api+json",
    ["Authorization"] = 'WSSE profile="UsernameToken"',
    ["X-WSSE"] = string.format('UsernameToken Username="%s", PasswordDigest="%s", Nonce="%s", Created="%s"',
                               user, digest, base64(raw), created)
  })
end
