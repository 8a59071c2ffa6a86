-- bench/load.lua: wrk script for bench/load.sh. Mixed traffic over the
-- persons in UIDS (one opaque id a line): 70% person pages, 20% person
-- lists, 10% plan builds (writes) of the survey year YEAR. Counts answers
-- that are not 2xx (wrk's status errors: 4xx and 5xx), and among them
-- the 503 "busy" ones (the worker queue
-- full: the server asks to come back after Retry-After seconds).
local uids, n = {}, 0
local token, csrf = os.getenv("LOAD_TOKEN"), os.getenv("LOAD_CSRF")
local year = os.getenv("LOAD_YEAR") or "2026"
for line in io.lines(os.getenv("LOAD_UIDS")) do
	n = n + 1
	uids[n] = line
end
busy = 0	-- global: done() reads each thread's through thread:get()
local threads = {}

setup = function(thread)
	table.insert(threads, thread)
end
local hdr = { ["Cookie"] = "lf_session=" .. token,
	["X-CSRF-Token"] = csrf, ["Content-Type"] = "application/json" }

request = function()
	local r, uid = math.random(100), uids[math.random(n)]
	if r <= 70 then
		return wrk.format("GET", "/api/v1/persons/" .. uid, hdr)
	elseif r <= 90 then
		return wrk.format("GET", "/api/v1/persons?limit=20", hdr)
	end
	return wrk.format("POST", "/api/v1/persons/" .. uid ..
	    "/plans/" .. year .. "/build", hdr, "{}")
end

response = function(status, headers, body)
	if status == 503 and headers["Retry-After"] ~= nil then
		busy = busy + 1
	end
end

done = function(summary, latency, requests)
	local nbusy = 0
	for _, t in ipairs(threads) do
		nbusy = nbusy + (t:get("busy") or 0)
	end
	io.write(string.format("load: %d requests, %d errors (socket: " ..
	    "connect %d read %d write %d timeout %d), non-2xx %d, " ..
	    "p50 %.1f ms, p99 %.1f ms, busy 503 %d\n", summary.requests,
	    summary.errors.status, summary.errors.connect, summary.errors.read,
	    summary.errors.write, summary.errors.timeout, summary.errors.status,
	    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
	    nbusy))
end
