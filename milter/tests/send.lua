-- Sends one message file through a milter, as an MTA would, and prints what the milter
-- answered and asked for. Globals (miltertest -D): socket, file, from, rcpts (comma-separated),
-- qid.
local conn = mt.connect(socket, 40, 0.25)
if conn == nil then
    error("cannot connect to " .. socket)
end
mt.set_timeout(30)
if mt.negotiate(conn, nil, 511, nil) ~= nil then error("negotiate") end
mt.macro(conn, SMFIC_MAIL, "i", qid)
if mt.mailfrom(conn, "<" .. from .. ">") ~= nil then error("mailfrom") end
for rcpt in string.gmatch(rcpts, "[^,]+") do
    if mt.rcptto(conn, "<" .. rcpt .. ">") ~= nil then error("rcptto") end
end

local f = assert(io.open(file, "rb"))
local data = f:read("*a")
f:close()
data = data:gsub("\r\n", "\n")
local head, body = data:match("^(.-)\n\n(.*)$")
if head == nil then
    head, body = data, ""
end
-- Header fields, folded lines joined with LF as an MTA passes them.
local name, value = nil, nil
local function flush()
    if name ~= nil then
        if mt.header(conn, name, value) ~= nil then error("header") end
    end
end
for line in (head .. "\n"):gmatch("(.-)\n") do
    if line:match("^[ \t]") and name ~= nil then
        value = value .. "\n" .. line
    else
        flush()
        name, value = line:match("^([^:]+):[ \t]?(.*)$")
    end
end
flush()
if mt.eoh(conn) ~= nil then error("eoh") end
if body ~= "" then
    if mt.bodystring(conn, (body:gsub("\n", "\r\n"))) ~= nil then error("body") end
end
if mt.eom(conn) ~= nil then error("eom") end

local r = mt.getreply(conn)
local names = {
    [SMFIR_ACCEPT] = "accept", [SMFIR_REJECT] = "reject", [SMFIR_TEMPFAIL] = "tempfail",
    [SMFIR_CONTINUE] = "continue", [SMFIR_REPLYCODE] = "replycode", [SMFIR_DISCARD] = "discard",
}
print("reply=" .. (names[r] or tostring(r)))
if mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1") then print("smtp=550 5.7.1") end
if mt.eom_check(conn, MT_QUARANTINE) then print("quarantined") end
if mt.eom_check(conn, MT_HDRADD, "X-Maildlp-Verdict") then
    print("tag=" .. tostring(mt.getheader(conn, "X-Maildlp-Verdict", 0)))
end
for _, h in ipairs({"To", "Cc", "Reply-To"}) do
    if mt.eom_check(conn, MT_HDRDELETE, h) then print("deleted=" .. h) end
    if mt.eom_check(conn, MT_HDRADD, h) then print("added=" .. h .. ": " .. tostring(mt.getheader(conn, h, 0))) end
end
mt.disconnect(conn)
