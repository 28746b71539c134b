#!/bin/bash
# Upstream reproducer (no privacy-mute loaded anywhere): PipeWire's
# module-pipe-tunnel crashes the process that hosts it when it is unloaded
# while its source stream drives the graph.
#
# module-pipe-tunnel.c, impl_destroy(): pw_stream_destroy() runs first (its
# stream_destroy() listener sets impl->stream = NULL), and the data-loop
# timer that drives the stream (on_timeout) is destroyed only afterwards.
# A timeout that fires in between calls pw_stream_trigger_process(NULL):
# SIGSEGV in the data-loop thread. Seen with 1.4.2 (Debian 12 backports);
# the same order is in 1.6.x.
#
# Each round loads a pipe source into WirePlumber (sm-objects, as
# wp-runtime-load.sh does), records from it, and unloads it while the
# recording runs. ROUNDS (default 30). Exit 0 when the crash was
# reproduced, 1 when every round survived.
#
# QUIESCE=1 shows the workaround the suite uses (lib.sh,
# remove_pipe_source): stop the consumers first and unload the module only
# once the source no longer runs; its stream is then paused, which disarms
# the timer, and every round survives.
#
#   PM_BUILD=build PM_SRC=. tests/upstream/pipe-tunnel-teardown.sh
export PM_BUILD=${PM_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
export PM_SRC=${PM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$PM_SRC/tests/integration/lib.sh"

ROUNDS=${ROUNDS:-30}
mics_conf			# fake mics only; no privacy-mute anywhere
start_bus && start_pipewire && start_wireplumber || exit 2
WP=${PM_PID[wireplumber]}

node_running() { test "$(node_state "$1")" = running; }

crashed=0
for r in $(seq "$ROUNDS"); do
	pw-metadata -n sm-objects 0 tunnel "{ type = pw-module, name = libpipewire-module-pipe-tunnel,
		args = { tunnel.mode = source pipe.filename = \"$T/fifo$r\" audio.format = S16LE
			audio.rate = 48000 audio.channels = 2 audio.position = [ FL FR ]
			stream.props = { node.name = tunnelsrc media.class = Audio/Source
				node.driver = true priority.driver = 50000 } } }" \
		Spa:String:JSON >/dev/null
	wait_for 10 has_node tunnelsrc || { log "round $r: the pipe source did not appear"; exit 2; }
	pw-record --target tunnelsrc - > /dev/null 2>&1 &
	rec=$!
	wait_for 10 node_running tunnelsrc || log "round $r: the pipe source does not run"
	sleep 0.3
	if [ "${QUIESCE:-0}" = 1 ]; then
		kill "$rec" 2>/dev/null; wait "$rec" 2>/dev/null
		wait_for 10 node_not_running tunnelsrc
	fi
	pw-metadata -n sm-objects -d 0 tunnel >/dev/null
	sleep 0.5
	kill "$rec" 2>/dev/null; wait "$rec" 2>/dev/null
	if ! kill -0 "$WP" 2>/dev/null; then
		wait "$WP"; rc=$?
		log "round $r: WirePlumber died (exit status $rc) when the pipe source was unloaded"
		unset "PM_PID[wireplumber]"
		crashed=1
		break
	fi
	wait_for 10 sh -c '! pw-cli ls Node | grep -q "node.name = \"tunnelsrc\""'
done
[ "$crashed" = 1 ] && { log "reproduced in round $r of $ROUNDS"; exit 0; }
log "not reproduced in $ROUNDS rounds"
exit 1
