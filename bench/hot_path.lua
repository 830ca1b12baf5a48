-- wrk script for bench/hot_path.sh: each request names a different user, in turn.
-- Arguments (after --): a file of header values, one a line, the header's name, the method,
-- and optionally "cold": every request then asks for a query no other asked (?cold=<n>, which
-- the list ignores), so that none finds a cached answer.
--   TaskMaster: "Bearer <token>" lines in Authorization; the floor: user ids in X-User.
-- POST sends a new task's JSON. done() prints one line: RESULT req/s p99_ms errors requests.

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  local path, name = args[1], args[2]
  method = args[3] or "GET"
  cold = args[4] == "cold"
  asked = 0
  values = {}
  for line in io.lines(path) do
    if line ~= "" then
      values[#values + 1] = line
    end
  end
  assert(#values > 0, "no header values in " .. path)
  header = name
  headers = {}
  body = nil
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    body = '{"title":"Bench task"}'
  end
  -- Threads start apart so that they do not ask for the same user at the same moment.
  turn = ((thread_number - 1) * 97) % #values
end

function request()
  turn = turn % #values + 1
  headers[header] = values[turn]
  local path = nil
  if cold then
    asked = asked + 1
    path = wrk.path .. "?cold=" .. thread_number .. "-" .. asked
  end
  return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT %.1f %.3f %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, errors,
    summary.requests))
end
