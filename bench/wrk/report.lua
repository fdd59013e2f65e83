-- Shared by every wrk scenario of bench/run, which prepends it to the scenario's script after a
-- `params` table (the values bench/run sets up: urls, ids, token). Prints one line
--   BENCH_RESULT {json}
-- with wrk's counts, latency percentiles in microseconds, and the sum over threads of each
-- scenario's own `counters` table (a global in every thread's Lua state).
counters = {}
local bench_threads = {}

function setup(thread)
  table.insert(bench_threads, thread)
end

local function field(name, value)
  return string.format('"%s": %.3f', name, value)
end

function done(summary, latency, requests)
  local fields = {
    field("duration_us", summary.duration),
    field("requests", summary.requests),
    field("bytes", summary.bytes),
    field("errors_connect", summary.errors.connect),
    field("errors_read", summary.errors.read),
    field("errors_write", summary.errors.write),
    field("errors_status", summary.errors.status),
    field("errors_timeout", summary.errors.timeout),
    field("latency_mean_us", latency.mean),
    field("latency_max_us", latency.max),
  }
  for _, p in ipairs({50, 90, 99, 99.9}) do
    table.insert(fields, field(string.format("p%s_us", p), latency:percentile(p)))
  end
  local totals = {}
  for _, thread in ipairs(bench_threads) do
    local own = thread:get("counters")
    if own then
      for name, value in pairs(own) do totals[name] = (totals[name] or 0) + value end
    end
  end
  for name, value in pairs(totals) do
    table.insert(fields, field("counter_" .. name, value))
  end
  io.write("BENCH_RESULT {" .. table.concat(fields, ", ") .. "}\n")
end
