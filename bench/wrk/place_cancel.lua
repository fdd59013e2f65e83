-- Place+cancel pairs (api/openapi.yaml: POST /orders, DELETE /orders/{id}) for one user on
-- params.product_ids, products with a large stock, taken in turn. Each connection places an
-- order, then cancels an order placed on its thread, and so on. A 201 queues the new order's id; a 200 whose body is a cancelled order
-- completes a pair. Anything else is counted in counters.unexpected.
local pending = {}
local places = {}
local next_place = 0
local auth

function init(args)
  auth = "Bearer " .. params.token
  for i, product_id in ipairs(params.product_ids) do
    places[i] = wrk.format("POST", "/orders",
      {["Authorization"] = auth, ["Content-Type"] = "application/json"},
      string.format('{"product_id":%d,"quantity":1}', product_id))
  end
  counters = {placed = 0, pairs = 0, unexpected = 0}
end

function request()
  local id = table.remove(pending)
  if id then
    return wrk.format("DELETE", "/orders/" .. id, {["Authorization"] = auth})
  end
  next_place = next_place % #places + 1
  return places[next_place]
end

function response(status, headers, body)
  if status == 201 then
    local id = body:match('"id":(%d+)')
    if id then
      counters.placed = counters.placed + 1
      table.insert(pending, id)
      return
    end
  elseif status == 200 and body:find('"status":"cancelled"', 1, true) then
    counters.pairs = counters.pairs + 1
    return
  end
  counters.unexpected = counters.unexpected + 1
end
