-- luaform.modsource: modules from other places, `use(source, { ref = })`.
--
--   use("./modules/vpc")                                  a local path (from the calling file's directory)
--   use("git+https://host/org/infra.git//vpc", { ref = "v1.4.0" })
--   use("git+file:///srv/infra.git//vpc", { ref = "v1.*" })
--
-- A source names a Lua file (path.lua) or a directory with init.lua; the
-- file returns the module function that module() takes; inside it,
-- require("x") looks in the module's own directory first (module_env).
-- For git sources, `luaform init` resolves ref (a tag, a branch, a commit,
-- or a tag pattern with * choosing the highest version that matches),
-- checks the commit out into .luaform/modules/<key>/ and records it in
-- luaform.lock.json; later runs only read that checkout, without the network. `init -upgrade`
-- resolves every ref again. git is driven through its command line.
local core = require("luaform.core")
local errors = require("luaform.errors")

local M = {}
M.LOCK_FILE = "luaform.lock.json"
M.DIR = ".luaform/modules"

local function quote(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function git(args, where)
  local p = io.popen("git " .. args .. " 2>&1")
  local out = p:read("a")
  local ok = p:close()
  if not ok then errors.raise(where, "git %s: %s", args:match("^%S+"), (out:gsub("%s+$", ""))) end
  return out
end

-- "git+URL//sub" -> URL, "sub"
local function parse_git(source)
  local rest = source:sub(5)
  local scheme_end = rest:find("://", 1, true)
  local from = scheme_end and scheme_end + 3 or 1
  local cut = rest:find("//", from, true)
  if cut then return rest:sub(1, cut - 1), rest:sub(cut + 2) end
  return rest, ""
end

function M.read_lock()
  local src = core.read_file(M.LOCK_FILE)
  if not src then return { modules = {} } end
  local doc, err = core.json_decode(src, M.LOCK_FILE)
  if type(doc) ~= "table" then errors.raise(nil, "%s: %s", M.LOCK_FILE, err or "not a JSON object") end
  doc.modules = doc.modules or {}
  return doc
end

local function lock_key(source, ref) return source .. (ref and ("@" .. ref) or "") end

-- Version-aware comparison of tag names: v1.10.0 > v1.9.2.
local function version_less(a, b)
  local function parts(s)
    local t = {}
    for n in s:gmatch("%d+") do t[#t + 1] = tonumber(n) end
    return t
  end
  local pa, pb = parts(a), parts(b)
  for i = 1, math.max(#pa, #pb) do
    local x, y = pa[i] or -1, pb[i] or -1
    if x ~= y then return x < y end
  end
  return a < b
end

-- The repository's tags and branches: {name -> commit} each.
local function remote_refs(url, where)
  local tags, heads = {}, {}
  for sha, name in git("ls-remote --tags --heads " .. quote(url), where):gmatch("(%x+)%s+(%S+)") do
    local tag = name:match("^refs/tags/(.+)$")
    if tag then
      local peeled = tag:match("^(.+)%^{}$")
      if peeled then tags[peeled] = sha            -- an annotated tag's commit
      elseif not tags[tag] then tags[tag] = sha end
    else
      local head = name:match("^refs/heads/(.+)$")
      if head then heads[head] = sha end
    end
  end
  return tags, heads
end

-- The highest version among the tags matching pattern (* for any text).
local function best_tag(tags, pattern)
  local pat = "^" .. pattern:gsub("[%.%-%+%?%(%)%[%]%^%$%%]", "%%%0"):gsub("%*", ".*") .. "$"
  local best
  for name in pairs(tags) do
    if name:match(pat) and (not best or version_less(best, name)) then best = name end
  end
  return best
end

-- The commit and the ref name that `ref` designates in the repository at
-- url: a commit id, a tag, a branch (a tag wins a name both have, as in
-- git), or a pattern with *, matched against tags only.
local function resolve(url, ref, where)
  if ref and ref:match("^%x+$") and #ref == 40 then return ref, ref end
  if not ref then
    local head = git("ls-remote " .. quote(url) .. " HEAD", where):match("^(%x+)")
    if not head then errors.raise(where, "%s has no HEAD", url) end
    return head, "HEAD"
  end
  local tags, heads = remote_refs(url, where)
  if ref:find("*", 1, true) then
    local best = best_tag(tags, ref)
    if not best then errors.raise(where, 'no tag of %s matches "%s"', url, ref) end
    return tags[best], best
  end
  local commit = tags[ref] or heads[ref]
  if not commit then errors.raise(where, 'ref "%s" not found in %s', ref, url) end
  return commit, ref
end

local function checkout(url, commit, dir, where)
  if not core.stat(dir .. "/.git") then
    core.mkdir_p(M.DIR)
    git("clone --quiet --no-checkout " .. quote(url) .. " " .. quote(dir), where)
  elseif not git("-C " .. quote(dir) .. " cat-file -t " .. commit .. " || true", where):match("commit") then
    git("-C " .. quote(dir) .. " fetch --quiet --tags origin", where)
  end
  git("-C " .. quote(dir) .. " checkout --quiet --force " .. commit, where)
end

-- The module files being loaded, innermost last: a use() that its file
-- tail-calls (`return use("./impl")`) has no frame left to say where it is.
local loading = {}
function M.loading_file() return loading[#loading] end

-- Runs a module file's chunk with file on the loading stack.
local function run_file(chunk, file, ...)
  loading[#loading + 1] = file
  local ok, v = pcall(chunk, ...)
  loading[#loading] = nil
  if not ok then error(v, 0) end
  return v
end

-- What require() gave for each module file, by path (Lua's package.loaded
-- is by name, and two modules may each have their own "helper").
local required = {}

-- The environment of the files of a module loaded through use(): the
-- stack's globals (read and written through to _G), except require, which
-- looks in the module's own directory (root/NAME.lua, root/NAME/init.lua)
-- before Lua's path, so a module requires its own files wherever it is
-- checked out. The files it finds run in the same environment. A module's
-- own resource types (providers/ beside its file) are registered on load.
function M.module_env(root)
  local env = setmetatable({}, { __index = _G, __newindex = _G })
  local pattern = root .. "/?.lua;" .. root .. "/?/init.lua"
  rawset(env, "require", function(name)
    local file, tried = package.searchpath(name, pattern)
    if not file then
      local ok, v, extra = pcall(require, name)
      if ok then return v, extra end
      local head = "module '" .. name .. "' not found:"
      if type(v) == "string" and v:sub(1, #head) == head then
        error(head .. "\n\t" .. tried .. v:sub(#head + 1), 2)   -- the module's directory, searched first
      end
      error(v, 0)
    end
    if required[file] == nil then
      local chunk, err = loadfile(file, "bt", env)
      if not chunk then error(err, 0) end
      local v = run_file(chunk, file, name, file)
      required[file] = v == nil and true or v
    end
    return required[file], file
  end)
  return env
end

local function load_module(path, source, where)
  local file = path
  local st = core.stat(file)
  if st and st.type == "dir" then file = file .. "/init.lua"
  elseif not st then file = file .. ".lua" end
  if not core.stat(file) then errors.raise(where, 'module source "%s": no %s', source, file) end
  require("luaform.usertypes").add_dir(file:match("^(.*)/[^/]*$") or ".", where)
  local chunk, err = loadfile(file, "bt", M.module_env(file:match("^(.*)/[^/]*$") or "."))
  if not chunk then errors.raise(nil, "%s", err) end
  local fn = run_file(chunk, file)
  if type(fn) ~= "function" and not require("luaform.interface").is(fn) then
    errors.raise(where, 'module source "%s": %s must return the module (a function, or { inputs, outputs, body }), got %s', source, file, type(fn))
  end
  return fn
end

-- The installer used by `luaform init`: fetches what is missing (or, with
-- upgrade, everything) and keeps the lock document up to date.
function M.installer(upgrade)
  local lock = M.read_lock()
  local inst = { lock = lock, seen = {}, changed = false }
  function inst.install(url, ref, key, where)
    local entry = lock.modules[key]
    if upgrade or not entry then
      local commit, name = resolve(url, ref, where)
      if not entry or entry.commit ~= commit then inst.changed = true end
      entry = { source = url, ref = ref, resolved = name, commit = commit }
      lock.modules[key] = entry
    end
    inst.seen[key] = entry
    local dir = M.DIR .. "/" .. core.sha1_hex(key):sub(1, 16)
    checkout(url, entry.commit, dir, where)
    return dir
  end
  function inst.save()
    for k in pairs(lock.modules) do if not inst.seen[k] then lock.modules[k] = nil; inst.changed = true end end
    assert(core.write_file(M.LOCK_FILE, core.json_encode(lock, { pretty = true }) .. "\n", "0644"))
  end
  return inst
end

-- A local source path as seen from base, the directory of the file that
-- calls use(): a module's relative paths are its own (a git module's
-- siblings in its checkout), as Terraform's are.
local function local_path(source, base)
  if source:sub(1, 1) == "/" or not base or base == "." then return source end
  return base .. "/" .. (source:gsub("^%./", ""))
end

-- use() for the DSL. installer: set during `luaform init`, nil otherwise;
-- base: the directory of the calling file (nil: the stack's).
function M.use(source, opts, where, installer, base)
  if type(source) ~= "string" then errors.raise(where, "use expects a source string") end
  opts = opts or {}
  if not source:match("^git%+") then return load_module(local_path(source, base), source, where) end
  local url, sub = parse_git(source)
  local key = lock_key(url, opts.ref)
  local dir
  if installer then
    dir = installer.install(url, opts.ref, key, where)
  else
    local entry = M.read_lock().modules[key]
    dir = M.DIR .. "/" .. core.sha1_hex(key):sub(1, 16)
    if not entry or not core.stat(dir .. "/.git") then
      errors.raise(where, 'module source "%s" is not installed; run "luaform init"', source)
    end
    local head = git("-C " .. quote(dir) .. " rev-parse HEAD", where):match("%x+")
    if head ~= entry.commit then
      errors.raise(where, 'module source "%s" is at %s but %s locks %s; run "luaform init"',
        source, head, M.LOCK_FILE, entry.commit)
    end
  end
  return load_module(sub ~= "" and (dir .. "/" .. sub) or dir, source, where)
end

return M
