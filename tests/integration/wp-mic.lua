-- privacy-mute integration tests: a microphone hosted in WirePlumber's own
-- process, the way WirePlumber 0.5 hosts Bluetooth sources (monitors/bluez.lua
-- creates them with LocalNode("adapter", ...) too).
--
-- Loaded as a WirePlumber script component; its arguments are the node's
-- properties (a flat object: nested values such as node.param.Props are
-- passed on as their JSON text). Example wireplumber.conf.d drop-in:
--
--   wireplumber.components = [
--     { name = /path/to/wp-mic.lua, type = script/lua
--       arguments = { node.name = wpmic, factory.name = audiotestsrc, ... }
--       provides = custom.pm-wpmic
--       requires = [ support.export-core, pw.client-node,
--                    pw.node-factory.adapter ] }
--   ]
--   wireplumber.profiles = { main = { custom.pm-wpmic = required } }
--
-- The node is a local adapter node in WirePlumber's process, exported to the
-- daemon through WirePlumber's export core: on the daemon side it is a
-- client-node whose client is WirePlumber's "[export]" connection.

local args = ...
local props = args and args:parse(1) or {}

for k, v in pairs(props) do
  props[k] = tostring(v)
end
props["factory.name"] = props["factory.name"] or "audiotestsrc"
props["node.name"] = props["node.name"] or "wpmic"
props["media.class"] = props["media.class"] or "Audio/Source"

Log.info("pm-test: creating local node " .. props["node.name"])

-- a global, so that the node lives as long as the script
pm_test_node = LocalNode("adapter", props)
pm_test_node:activate(Feature.Proxy.BOUND, function (n, e)
  if e then
    Log.warning("pm-test: " .. props["node.name"] .. " failed: " .. tostring(e))
  else
    Log.info("pm-test: " .. props["node.name"] .. " exported as node " ..
        tostring(n["bound-id"]))
  end
end)
