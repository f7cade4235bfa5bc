-- local_file: a file on the local disk, as Terraform's local provider has it.
--
-- The id is the SHA-1 of the content. Unlike Terraform's, a change of
-- content or permission rewrites the file in place (an update, so a
-- resource that refers to the file is not replaced); a new filename is a
-- new file. read() notices a file that vanished (nil: the plan recreates
-- it) or whose content changed by hand (the content found is reported, so
-- the plan shows the difference and writes the file again). recover()
-- adopts the file of a create a killed run left pending.
local core = require("luaform.core")

local M = {}

M.schema = {
  filename = { type = "string", required = true, force_new = true },
  content = { type = "string", optional = true },
  sensitive_content = { type = "string", optional = true, sensitive = true },
  content_base64 = { type = "string", optional = true },
  file_permission = { type = "string", optional = true, default = "0777" },
  directory_permission = { type = "string", optional = true, default = "0777" },
  id = { type = "string", computed = true, computed_on_update = true },
  content_sha256 = { type = "string", computed = true, computed_on_update = true },
}

local function body(args)
  if args.sensitive_content then return args.sensitive_content end
  if args.content_base64 then return core.base64_decode(args.content_base64) end
  return args.content or ""
end

local function dirname(path) return path:match("^(.*)/[^/]*$") end

local function attributes(args, data)
  return {
    id = core.sha1_hex(data), filename = args.filename, content = args.content,
    sensitive_content = args.sensitive_content, content_base64 = args.content_base64,
    file_permission = args.file_permission, directory_permission = args.directory_permission,
    content_sha256 = core.sha256_hex(data),
  }
end

function M.create(_, args)
  local n = (args.content and 1 or 0) + (args.sensitive_content and 1 or 0) + (args.content_base64 and 1 or 0)
  if n ~= 1 then error("exactly one of content, sensitive_content or content_base64 must be set", 0) end
  local data = body(args)
  local dir = dirname(args.filename)
  if dir and dir ~= "" then core.mkdir_p(dir, args.directory_permission) end
  -- Replaced atomically but not fsync'ed, as Terraform's local_file: a
  -- machine crash that loses it shows as a missing file the next plan
  -- recreates, and an fsync per file would make a large apply slow.
  local ok, err = core.write_file(args.filename, data, args.file_permission, { durable = false })
  if not ok then error("writing " .. args.filename .. ": " .. tostring(err), 0) end
  return attributes(args, data)
end

function M.update(ctx, _, old, new)
  if old.filename ~= new.filename then core.remove(old.filename) end
  return M.create(ctx, new)
end

function M.read(_, id, prior)
  local data = core.read_file(prior.filename)
  if data == nil then return nil end
  if core.sha1_hex(data) == id then return prior end
  -- Changed by hand: report what is there now so the plan shows it.
  local now = {}
  for k, v in pairs(prior) do now[k] = v end
  now.id = core.sha1_hex(data)
  if prior.content_base64 then now.content_base64 = core.base64_encode(data)
  elseif prior.sensitive_content then now.sensitive_content = data
  else now.content = data end
  return now
end

-- A create a killed run left pending: the file it was writing, if it is
-- there with that content, is adopted; otherwise there is none (nil).
function M.recover(_, pending)
  local args = pending.args
  if type(args) ~= "table" or not args.filename then return nil end
  local data = core.read_file(args.filename)
  if data == nil or data ~= body(args) then return nil end
  return attributes(args, data)
end

function M.delete(_, _, attrs)
  local ok, err = core.remove(attrs.filename)
  if not ok and core.stat(attrs.filename) then error("removing " .. attrs.filename .. ": " .. tostring(err), 0) end
end

function M.import(_, id)
  local data, err = core.read_file(id)
  if not data then error("importing " .. id .. ": " .. tostring(err), 0) end
  return attributes({ filename = id, content = data, file_permission = "0777", directory_permission = "0777" }, data)
end

return M
