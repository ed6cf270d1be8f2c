#!/usr/bin/env bash
# Quids.Network end-to-end figures next to the loopback baselines of ../shared/peers, on this machine.
# Usage: benchmarks/compare.sh [runs=3] [seconds=5]
#   Builds the harness in Release, runs it (server and client as two processes), then the baselines
#   (iperf3.sh, rawtcp/run.sh, netmq/run.sh, jslibp2p/run.sh), strictly one after another, and prints every
#   Quids figure with its ratio to each comparable baseline and the issue-5 target it is held to.
#   Env: PEERS_DIR (baselines folder; default ../shared/peers next to the repository),
#        QUIDS_MEMORY_CONNS (idle connections of the memory test, default 5000),
#        QUIDS_SKIP_BASELINES=1 (harness only),
#        QUIDS_TESTS (default "perf-up perf-down aead-floor small echo ping connect memory").
#   aead-floor is this machine's encrypted-bulk floor: TCP and ChaCha20-Poly1305 alone between two processes
#   (no handshake, multistream, Yamux or pipes); the perf figures are also given as a fraction of it.
#   A copy of the output goes to benchmarks/results/<UTC>.log (git-ignored).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${1:-3}"; SECS="${2:-5}"
CONNS="${QUIDS_MEMORY_CONNS:-5000}"
TESTS="${QUIDS_TESTS:-perf-up perf-down aead-floor small echo ping connect memory}"
PEERS="${PEERS_DIR:-}"
if [ -z "$PEERS" ]; then
  for p in "$ROOT/../shared/peers" "$ROOT/../../shared/peers" /work/shared/peers; do
    [ -f "$p/lib/median.sh" ] && { PEERS="$(cd "$p" && pwd)"; break; }
  done
fi
[ -n "$PEERS" ] && [ -f "$PEERS/lib/median.sh" ] || { echo "baselines not found: set PEERS_DIR to the shared/peers folder" >&2; exit 2; }
. "$PEERS/lib/median.sh"   # median, field, free_port, run_repeated

mkdir -p "$ROOT/benchmarks/results"
LOG="$ROOT/benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ).log"
exec > >(tee "$LOG") 2>&1
START=$(date +%s)
echo "# compare.sh runs=$RUNS seconds=$SECS $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg) $(nproc) cores"

# 5000 idle connections need 5000 descriptors in each process (plus the dials); 20000 is this machine's cap.
HARD="$(ulimit -Hn)"; if [ "$HARD" = unlimited ] || [ "$HARD" -gt 20000 ]; then HARD=20000; fi
ulimit -n "$HARD"

OUT="${QUIDS_BUILD:-/tmp/quids-harness}"
echo "# building the harness (Release) into $OUT"
dotnet build "$ROOT/benchmarks/Quids.Network.Harness/Quids.Network.Harness.csproj" -c Release -o "$OUT" -nologo -v q \
  >/tmp/quids-harness-build.log 2>&1 || { cat /tmp/quids-harness-build.log; exit 1; }
H="$OUT/Quids.Network.Harness"
SPID=""
stop_server() { if [ -n "$SPID" ]; then kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; SPID=""; fi; }
trap stop_server EXIT
start_server() {
  local log=/tmp/quids-harness-server.log
  timeout 1800 "$H" server --port 0 >"$log" 2>&1 & SPID=$!
  for _ in $(seq 1 100); do grep -q '^LISTENING node ' "$log" && break; sleep 0.1; done
  SWARM="$(awk '/^LISTENING swarm /{print $3}' "$log")"; NODE="$(awk '/^LISTENING node /{print $3}' "$log")"
  FLOOR="$(awk '/^LISTENING floor /{print $3}' "$log")"
  [ -n "$SWARM" ] && [ -n "$NODE" ] && [ -n "$FLOOR" ] || { echo "harness server did not start" >&2; cat "$log" >&2; exit 1; }
}
# The memory test gets a fresh server per run, so that earlier tests' heap does not blur the reading.
memory_once() {
  start_server
  timeout $((CONNS / 20 + 120)) "$H" client --swarm "$SWARM" --test memory --conns "$CONNS" || true
  stop_server
}

declare -A RESULTS=()
collect() { while IFS= read -r l; do echo "$l"; case "$l" in RESULT\ *) RESULTS["$(field name "$l")"]="$l";; esac; done; }

echo "## Quids.Network harness (TCP + Noise + Yamux, two processes)"
start_server
for t in $TESTS; do
  case "$t" in
    perf-up|perf-down|aead-floor) fields="mb_per_s bytes seconds" ;;
    small)   fields="msgs_per_s mb_per_s msgs seconds" ;;
    echo|ping) fields="median_us p99_us p999_us mean_us samples" ;;
    connect) fields="conns_per_s dial_median_us dial_p99_us round_trips conns" ;;
    memory)  continue ;;
  esac
  collect < <(run_repeated "$RUNS" "$fields" timeout $((SECS * 4 + 60)) "$H" client --swarm "$SWARM" --node "$NODE" --floor "$FLOOR" --test "$t" --seconds "$SECS")
done
stop_server
case " $TESTS " in *" memory "*)
  collect < <(run_repeated "$RUNS" "server_kib_per_conn client_kib_per_conn server_conns conns dial_s" memory_once) ;;
esac

if [ "${QUIDS_SKIP_BASELINES:-0}" != 1 ]; then
  if ! command -v iperf3 >/dev/null; then
    echo "# installing iperf3"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iperf3 >/dev/null
  fi
  echo "## baselines from $PEERS"
  collect < <("$PEERS/iperf3.sh" "$RUNS" "$SECS" || echo "# iperf3.sh failed")
  collect < <("$PEERS/rawtcp/run.sh" "$RUNS" "$SECS" || echo "# rawtcp/run.sh failed")
  collect < <("$PEERS/netmq/run.sh" "$RUNS" "$SECS" || echo "# netmq/run.sh failed")
  collect < <("$PEERS/jslibp2p/run.sh" "$RUNS" "$SECS" || echo "# jslibp2p/run.sh failed")
fi

# value NAME FIELD -> the median FIELD of the RESULT line named NAME (empty when missing)
value() { if [ -n "${RESULTS[$1]:-}" ]; then field "$2" "${RESULTS[$1]}"; fi; return 0; }
# compare QUIDS_NAME FIELD higher|lower BASE_NAME...  -> one line with ratios quids/baseline
compare() {
  local q="$1" f="$2" better="$3"; shift 3
  local v; v="$(value "$q" "$f")"; [ -n "$v" ] || { echo "$q $f: missing"; return; }
  local out="$q $f=$v"
  local b bv
  for b in "$@"; do
    local name="${b%%:*}" bf="${b#*:}"; [ "$bf" = "$b" ] && bf="$f"
    bv="$(value "$name" "$bf")"
    if [ -n "$bv" ]; then out+="  | $name $bf=$bv x$(awk -v a="$v" -v c="$bv" 'BEGIN{ if (c==0) print "inf"; else printf "%.3g", a/c }')"; else out+="  | $name: missing"; fi
  done
  echo "$out   (ratio = quids/baseline; $better is better)"
}
# target LABEL VALUE OP LIMIT
target() {
  local label="$1" v="$2" op="$3" lim="$4"
  if [ -z "$v" ]; then echo "TARGET $label: missing"; return; fi
  local ok; ok="$(awk -v v="$v" -v l="$lim" -v op="$op" 'BEGIN{ print ((op==">=" && v>=l) || (op=="<=" && v<=l)) ? "MET" : "MISSED" }')"
  echo "TARGET $label: $v (want $op $lim) $ok"
}
ratio() { if [ -n "$1" ] && [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN{ if (b==0) print ""; else printf "%.3g", a/b }'; fi; return 0; }

echo
echo "## Comparison (medians of $RUNS runs, $SECS s each)"
compare quids_perf_up mb_per_s higher quids_aead_floor iperf3_tcp_1stream rawtcp_sync_large rawtcp_pipe_large jslibp2p_perf_up
compare quids_perf_down mb_per_s higher quids_aead_floor iperf3_tcp_1stream rawtcp_sync_large rawtcp_pipe_large jslibp2p_perf_down
compare quids_aead_floor mb_per_s higher iperf3_tcp_1stream rawtcp_sync_large rawtcp_pipe_large
compare quids_small msgs_per_s higher rawtcp_sync_small rawtcp_pipe_small netmq_pushpull_small jslibp2p_small jslibp2p_small_batch64
compare quids_echo_latency median_us lower rawtcp_pipe_latency rawtcp_sync_latency jslibp2p_echo_latency netmq_reqrep_latency
compare quids_echo_latency p99_us lower rawtcp_pipe_latency rawtcp_sync_latency jslibp2p_echo_latency netmq_reqrep_latency
compare quids_ping median_us lower jslibp2p_ping rawtcp_pipe_latency
compare quids_ping p99_us lower jslibp2p_ping
compare quids_connect conns_per_s higher
compare quids_memory server_kib_per_conn lower
compare quids_memory client_kib_per_conn lower

echo
echo "## Targets (issue 5)"
UP="$(value quids_perf_up mb_per_s)"; DOWN="$(value quids_perf_down mb_per_s)"
target "perf upload MB/s" "$UP" ">=" 1500
target "perf download MB/s" "$DOWN" ">=" 1500
target "perf upload / js perf upload" "$(ratio "$UP" "$(value jslibp2p_perf_up mb_per_s)")" ">=" 7
target "perf download / js perf download" "$(ratio "$DOWN" "$(value jslibp2p_perf_down mb_per_s)")" ">=" 7
FLOOR_MB="$(value quids_aead_floor mb_per_s)"
if [ -n "$FLOOR_MB" ]; then
  echo "FLOOR TCP + ChaCha20-Poly1305 alone: $FLOOR_MB MB/s; perf up is x$(ratio "$UP" "$FLOOR_MB") of it, perf down x$(ratio "$DOWN" "$FLOOR_MB")$(awk -v f="$FLOOR_MB" 'BEGIN{ if (f<1500) print " (the 1500 MB/s target is above what this machine does with no protocol at all)" }')"
fi
SMALL="$(value quids_small msgs_per_s)"
target "64-byte msgs/s" "$SMALL" ">=" 5000000
target "64-byte msgs/s / js small64" "$(ratio "$SMALL" "$(value jslibp2p_small_batch64 msgs_per_s)")" ">=" 5
target "stream RTT median / raw pipe echo median" "$(ratio "$(value quids_echo_latency median_us)" "$(value rawtcp_pipe_latency median_us)")" "<=" 2
target "PingAsync median us" "$(value quids_ping median_us)" "<=" 150
target "round trips per connection" "$(value quids_connect round_trips)" "<=" 3
target "handshakes/s" "$(value quids_connect conns_per_s)" ">=" 1500
target "KiB per idle connection (server, N=$CONNS)" "$(value quids_memory server_kib_per_conn)" "<=" 16
target "KiB per idle connection (client, N=$CONNS)" "$(value quids_memory client_kib_per_conn)" "<=" 16
echo "# done in $(( $(date +%s) - START )) s; load $(cut -d' ' -f1-3 /proc/loadavg); log $LOG"
