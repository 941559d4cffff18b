-- wrk script: POST one image (path in $IMG) to /api/predict as multipart/form-data.
-- Usage: IMG=cell.png wrk -t2 -c8 -d20s -s bench/web/predict.lua 'http://127.0.0.1:5082/api/predict?samples=1'
local f = assert(io.open(os.getenv("IMG"), "rb"))
local image = f:read("*all")
f:close()
local boundary = "----wbc-nca-load"
wrk.method = "POST"
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
wrk.body = "--" .. boundary .. "\r\n" ..
  "Content-Disposition: form-data; name=\"images\"; filename=\"cell.png\"\r\n" ..
  "Content-Type: application/octet-stream\r\n\r\n" .. image .. "\r\n--" .. boundary .. "--\r\n"

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d rps=%.2f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    summary.requests, summary.errors.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
