-- POST /users/login with one user's username and password (api/openapi.yaml): each success is
-- one argon2id verification in the api. Any answer other than 200 is counted by wrk as a status
-- error (a 503 from a full hash queue included).
local prepared

function init(args)
  local body = string.format('{"username":"%s","password":"%s"}', params.username, params.password)
  prepared = wrk.format("POST", "/users/login", {["Content-Type"] = "application/json"}, body)
end

function request()
  return prepared
end
