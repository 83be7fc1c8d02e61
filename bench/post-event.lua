-- wrk script for bench/serve.sh: POSTs a captured CNCF Distribution notification.
-- Usage: wrk ... -s bench/post-event.lua URL -- PAYLOAD_FILE AUTHORIZATION RUN_TAG [PER_THREAD_LIMIT]
-- Every request carries a distinct event id (RUN_TAG, the thread and a counter replace the payload's
-- first "id"), so a receiver that deduplicates by event id stores every request. With a limit, each
-- thread stops after that many answers (requests still in flight then may arrive as well); without one,
-- no `response` function is defined, so wrk does not hand answers to Lua.
local count = 0

function setup(thread)
  count = count + 1
  thread:set("tid", count)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local payload = file:read("*a")
  file:close()
  local s, e = payload:find('"id"%s*:%s*"[^"]*"')
  assert(s, "the payload has no \"id\"")
  local open = payload:find('"', payload:find(":", s, true) + 1, true)
  before, after = payload:sub(1, open), payload:sub(e)
  headers = {
    ["Content-Type"] = "application/vnd.docker.distribution.events.v1+json",
    ["Authorization"] = args[2],
  }
  prefix = string.format("%s-t%d-", args[3], tid)
  counter = 0
  local limit = tonumber(args[4] or "0")
  if limit > 0 then
    local answered = 0
    function response()
      answered = answered + 1
      if answered >= limit then wrk.thread:stop() end
    end
  end
end

function request()
  counter = counter + 1
  return wrk.format("POST", nil, headers, before .. prefix .. counter .. after)
end
