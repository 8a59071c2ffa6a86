-- bench/load.lua: wrk script for bench/load.sh. Mixed traffic over the
-- persons in UIDS (one opaque id a line): 70% person pages, 20% person
-- lists, 10% plan builds (writes). Counts answers that are not 2xx.
local uids, n = {}, 0
local token, csrf = os.getenv("LOAD_TOKEN"), os.getenv("LOAD_CSRF")
for line in io.lines(os.getenv("LOAD_UIDS")) do
	n = n + 1
	uids[n] = line
end
local bad, kinds = 0, {}
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
	    "/plans/2026/build", hdr, "{}")
end

response = function(status, headers, body)
	if status < 200 or status > 299 then
		bad = bad + 1
	end
end

done = function(summary, latency, requests)
	io.write(string.format("load: %d requests, %d errors (socket: " ..
	    "connect %d read %d write %d timeout %d), non-2xx %d, " ..
	    "p50 %.1f ms, p99 %.1f ms\n", summary.requests,
	    summary.errors.status, summary.errors.connect, summary.errors.read,
	    summary.errors.write, summary.errors.timeout, summary.errors.status,
	    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
