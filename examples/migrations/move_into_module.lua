-- Moves resources into a module after a refactor: the stack now builds
-- them with module(NAME, ...), so their addresses gain "module.NAME.".
--
--   luaform run examples/migrations/move_into_module.lua events aws_sns_topic.events aws_sqs_queue.events
--
-- Every address (a resource, all instances of one, or a whole module) keeps
-- its object; only the state entry is renamed. Run `luaform plan` after:
-- it should say "No changes."
local module_name = arg[1]
if not module_name or #arg < 2 then
  error("usage: move_into_module.lua MODULE ADDRESS...", 0)
end
for i = 2, #arg do
  local from = arg[i]
  local to = "module." .. module_name .. "." .. from
  for _, m in ipairs(state.mv(from, to)) do print(string.format("%s -> %s", m.from, m.to)) end
end
