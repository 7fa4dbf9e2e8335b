-- wrk script: PUT a 128-byte value to one of 1000 keys under PREFIX (set by the runner).
counter = 0
local value = string.rep("x", 128)
request = function()
  counter = counter + 1
  local body = value
  if BODY_PREFIX then body = BODY_PREFIX .. value end
  return wrk.format("PUT", PREFIX .. (counter % 1000), {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
