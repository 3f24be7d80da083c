#!/usr/bin/env bash
# The milter with a large sealed list, reloaded on SIGHUP: docs/performance.md, "Large protected
# lists". Prints the milter's resident memory at rest, its peak during a reload and once the new
# list is swapped in, the reload's wall and CPU time, and the latency of messages sent through
# miltertest at rest against those sent while the reload is under way (every message must be
# answered: the scans run on the old list while the new one is read and opened).
#
#     benches/milter_reload.sh [DIR]      (needs miltertest and libmilter-dev: .ci/run)
#
# DIR (default /dev/shm/maildlp-lists, as benches/lists.sh) holds, or gets, the list:
# LIST=10m (default) is generate_corpus's 10,000,000 records (766 MB of CSV), sealed there
# with DIR/k.key. AT_REST messages (default 20) are timed before the reload.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d /dev/shm ]; then default_dir=/dev/shm/maildlp-lists; else default_dir=${TMPDIR:-/tmp}/maildlp-lists; fi
dir=${1:-$default_dir}
name=${LIST:-10m}
at_rest=${AT_REST:-20}
records=$(( ${name%m} * 1000000 ))
cargo build --release --quiet --bin maildlp --example generate_corpus
make -s -C milter maildlp-milter
bin=target/release/maildlp
mkdir -p "$dir"
[ -f "$dir/$name/protected.csv" ] || target/release/examples/generate_corpus "$dir/$name" 1 "$records" >/dev/null
[ -f "$dir/k.key" ] || "$bin" keygen -o "$dir/k.key"
[ -f "$dir/$name/p.sealed" ] || "$bin" seal --key "$dir/k.key" "$dir/$name/protected.csv" -o "$dir/$name/p.sealed"

sock=$dir/milter.sock
log=$dir/milter.log
. benches/milter_start.sh
start_milter "$sock" "$log" -l "$dir/$name/p.sealed" -k "$dir/k.key" -c examples/policy.toml

status() { awk -v f="$1:" '$1 == f { print int($2 / 1024) }' "/proc/$pid/status"; } # MB
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }                             # clock ticks
now() { date +%s%N; }
# send: one message (naming a person, to one recipient), as Postfix would pass it; prints its
# latency in ms and r (rejected), a (accepted) or x (no answer).
send() {
    local t0 out
    t0=$(now)
    out=$(miltertest -s milter/tests/send.lua -D socket="unix:$sock" -D file=examples/messages/names-another-victim.eml \
        -D from=sam.reid@police.example -D rcpts=jane.doe@example.net -D qid="Q$RANDOM" 2>&1 || true)
    local ms=$((($(now) - t0) / 1000000))
    if grep -q "reply=replycode" <<<"$out"; then echo "$ms r"; elif grep -q "reply=accept" <<<"$out"; then echo "$ms a"; else echo "$ms x"; fi
}
stats() { # latencies in ms on standard input: count, median, largest
    sort -n | awk '{ a[NR] = $1 } END { printf "%d messages, median %d ms, largest %d ms", NR, a[int((NR + 1) / 2)], a[NR] }'
}

rest=$(for _ in $(seq "$at_rest"); do send; done)
rss_rest=$(status VmRSS)
# VmHWM from here on is the reload's peak (writing 5 to clear_refs resets it: proc(5)).
echo 5 >"/proc/$pid/clear_refs"
cpu0=$(cpu)
t0=$(now)
kill -HUP "$pid"
during=""
while ! grep -q "reloaded" "$log"; do
    grep -q "reload refused" "$log" && { cat "$log" >&2; exit 1; }
    during+="$(send)"$'\n'
done
reload_ms=$((($(now) - t0) / 1000000))
reload_cpu=$(($(cpu) - cpu0))
peak=$(status VmHWM)
sleep 1
rss_after=$(status VmRSS)
after=$(send)

echo "list: $name ($(du -h --apparent-size "$dir/$name/p.sealed" | cut -f1) sealed)"
echo "resident at rest: $rss_rest MB; peak during the reload: $peak MB; after it: $rss_after MB"
echo "reload: $reload_ms ms wall, $((reload_cpu * 1000 / $(getconf CLK_TCK))) ms CPU of the milter (the scans during it included)"
echo "at rest: $(cut -d' ' -f1 <<<"$rest" | stats); verdicts $(cut -d' ' -f2 <<<"$rest" | tr -d '\n')"
echo "during the reload: $(sed '/^$/d' <<<"$during" | cut -d' ' -f1 | stats); verdicts $(sed '/^$/d' <<<"$during" | cut -d' ' -f2 | tr -d '\n')"
echo "after the reload: ${after% *} ms, verdict ${after#* }"
