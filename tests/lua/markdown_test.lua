-- plan -markdown and show -markdown PLANFILE (issue 16): the plan as a
-- pull request comment - counts per action, one collapsible section per
-- resource with its human diff, replacements and deletions first,
-- secrets hidden.
local REFERENCE = core.exe_dir .. "/examples/ecs-fargate/main.lua"

-- The <summary> lines of the comment, in order.
local function summaries(md)
  local out = {}
  for s in md:gmatch("<summary>(.-)</summary>") do out[#out + 1] = s end
  return out
end

test("the reference stack's image bump as a PR comment", function()
  local e = emulator({ ["nat-delay-ms"] = 10, ["lb-delay-ms"] = 10 })
  local dir = tmpdir()
  write(dir .. "/main.lua", read(REFERENCE))
  expect(select(2, e:luaform(dir, "apply", "-auto-approve"))).to_be(0)
  local md, code = e:luaform(dir, "plan", "-markdown", "-var", "image_tag=0.0.2")
  expect(code).to_be(0)
  expect(md).to_contain("### luaform plan: 1 to add, 1 to change, 1 to destroy\n")
  expect(md).to_contain("| `-/+` replace | 1 |\n| `~` update in-place | 1 |\n")
  expect(summaries(md)).to_equal({
    "<code>-/+</code> <b>module.service.aws_ecs_task_definition.this</b> must be replaced",
    "<code>~</code> <b>module.service.aws_ecs_service.this</b> update in-place",
    "Changes to outputs",
  })
  -- the diff inside is the plan's: one line for the image
  expect(md).to_match('\n +~ image = "[^"\n]*base:0%.0%.1" %-> "[^"\n]*base:0%.0%.2"\n')
  expect(md).to_contain("<details><summary>")
  expect(md).to_contain("</details>")
  -- the saved plan shows the same comment
  expect(select(2, e:luaform(dir, "plan", "-out=bump.plan", "-var", "image_tag=0.0.2"))).to_be(0)
  expect((e:luaform(dir, "show", "-markdown", "bump.plan"))).to_be(md)
end)

test("replacements and deletions come first; secrets stay hidden", function()
  local stack = [[
local pw = var("pw", { sensitive = true, default = "hunter2-secret" })
resource("local_file", "a_new", { filename = "a.txt", content = "a" })
resource("local_file", "b_gone", { filename = "b.txt", content = "b" })
resource("local_file", "c_secret", { filename = "c.txt", content = "pw=" .. pw })
]]
  local dir = new_stack(stack)
  expect(select(2, luaform(dir, "apply", "-auto-approve"))).to_be(0)
  write(dir .. "/main.lua", stack
    :gsub('resource%("local_file", "b_gone".-\n', "")
    :gsub('"c%.txt"', '"c2.txt"')
    :gsub('content = "a" }', 'content = "a" })\nresource("local_file", "d_added", { filename = "d.txt", content = "d" }'))
  local md, code = luaform(dir, "plan", "-markdown", "-var", "pw=other-secret")
  expect(code).to_be(0)
  expect(md).not_to_contain("hunter2")
  expect(md).not_to_contain("other-secret")
  expect(md).to_contain("(sensitive value)")
  expect(md).to_contain("| `-/+` replace | 1 |\n| `-` destroy | 1 |\n| `+` create | 1 |\n")
  expect(summaries(md)).to_equal({
    "<code>-/+</code> <b>local_file.c_secret</b> must be replaced",
    "<code>-</code> <b>local_file.b_gone</b> destroy",
    "<code>+</code> <b>local_file.d_added</b> create",
  })
  expect(md).to_match('~ filename +%= "c%.txt" %-> "c2%.txt" # forces replacement')
end)
