-- wrk script: POST the same form body once to each path listed in a file, never twice.
-- wrk -s bench/post_each.lua URL -- PATHS_FILE BODY COOKIE THREADS
-- Thread k of n takes paths k+1, k+1+n, k+1+2n…; once its share is used up it asks for
-- /bench/exhausted, which answers 404, so a run that outlasts the prepared rows shows as errors.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  body = args[2]
  headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = args[3]}
  stride = tonumber(args[4])
  position = id + 1
end

function request()
  local path = paths[position] or "/bench/exhausted"
  position = position + stride
  return wrk.format("POST", path, headers, body)
end
