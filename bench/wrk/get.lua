-- GET of each of params.paths in turn, with params.headers (e.g. a bearer token). Any answer
-- other than 2xx/3xx is counted by wrk as a status error.
local prepared = {}
local next_index = 1

function init(args)
  for _, path in ipairs(params.paths) do
    table.insert(prepared, wrk.format("GET", path, params.headers or {}))
  end
end

function request()
  local text = prepared[next_index]
  next_index = next_index % #prepared + 1
  return text
end
