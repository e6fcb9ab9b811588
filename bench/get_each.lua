-- wrk script: GET the paths listed in a file in turn, with one cookie (a signed-in reader).
-- wrk -s bench/get_each.lua URL -- PATHS_FILE COOKIE
function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  headers = {["Cookie"] = args[2]}
  position = 0
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position], headers)
end
