-- The conformance suites (tests/unit/sigv4_test.c, protocols_test.c) cannot
-- pass without their vectors: pointed at a directory that lacks them, or
-- that lacks one vector file, each exits non-zero and says what is missing.
-- Needs the unit tests built (`make unit`, which `make test` does first);
-- under the sanitizer build (build-san/luaform) its own, in build-san/unit.
local function run_unit(name, conformance_dir)
  local bin = core.exe_dir .. "/build/tests/" .. name
  if not core.stat(bin) and core.stat(core.exe_dir .. "/unit/" .. name) then bin = core.exe_dir .. "/unit/" .. name end
  assert(core.stat(bin), bin .. " is not built: run `make unit`")
  return sh("LUAFORM_CONFORMANCE_DIR=" .. quote(conformance_dir) .. " " .. quote(bin))
end

test("sigv4_test fails when the SigV4 suite is missing", function()
  local out, code = run_unit("sigv4_test", tmpdir())
  expect(code ~= 0).to_be(true)
  expect(out).to_contain("no test suite at")
end)

test("protocols_test fails when the vectors are missing, or one vector file is", function()
  local out, code = run_unit("protocols_test", tmpdir())
  expect(code ~= 0).to_be(true)
  expect(out).to_contain("no vectors")
  -- every file but one: the missing one fails
  local dir = tmpdir()
  local src = (os.getenv("LUAFORM_CONFORMANCE_DIR") or (core.exe_dir .. "/../shared/aws-conformance")) .. "/protocols"
  sh("cp -r " .. quote(src) .. " " .. quote(dir .. "/protocols"))
  expect(core.stat(dir .. "/protocols/output/rest-xml.json")).to_be_truthy()
  core.remove(dir .. "/protocols/output/rest-xml.json")
  out, code = run_unit("protocols_test", dir)
  expect(code ~= 0).to_be(true)
  expect(out).to_contain("rest-xml.json")
end)
