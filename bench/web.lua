-- wrk script for bench/web.py: spread the requests over the paths listed (one a line) in
-- the file named by $PATHS, count statuses and page-cache hits (the x-cache header), and
-- print the latency percentiles as one line of JSON that bench/web.py reads.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  position = offset
  hits, misses, others, bad = 0, 0, 0, 0
end

function request()
  position = position + 1
  return wrk.format("GET", paths[(position % #paths) + 1])
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
  local cache = headers["x-cache"] or headers["X-Cache"]
  if cache == "hit" then hits = hits + 1
  elseif cache == "miss" then misses = misses + 1
  else others = others + 1 end
end

function done(summary, latency, requests)
  local h, m, o, b = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    h = h + thread:get("hits"); m = m + thread:get("misses")
    o = o + thread:get("others"); b = b + thread:get("bad")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    '{"p50": %.3f, "p95": %.3f, "p99": %.3f, "requests": %d, "seconds": %.3f, ' ..
    '"hits": %d, "misses": %d, "uncached": %d, "bad_status": %d, "socket_errors": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests, summary.duration / 1e6,
    h, m, o, b, errors))
end
