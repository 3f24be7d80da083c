#!/usr/bin/env bash
# The milter with OCR on and off, on a mix of messages where one in twenty holds a screenshot:
# docs/performance.md, "OCR". Prints, for `ocr = false` and `ocr = true`, messages a second,
# the milter's CPU time a message, and the latency of the plain messages and of those with a
# screenshot (median, 95th percentile, largest).
#
#     benches/milter_ocr.sh [DIR]      (needs miltertest, libmilter-dev, libtesseract5
#                                       tesseract-ocr-eng: .ci/run)
#
# The mix: MESSAGES (default 200) messages; message i (from 1) with i % 20 == 0 is a short
# note with one of tests/ocr/screenshots attached (a PNG of a table or prose naming people,
# 16-60 KB), the others are examples/messages/*.eml in turn (plain and HTML mail, some naming
# people). The list is tests/ocr/protected.csv (455 names). PARALLEL (default 2) messages are
# in flight at once, each sent by its own miltertest process as an MTA would pass it (the
# latency includes starting miltertest, the same in both modes). The milter runs with
# OMP_THREAD_LIMIT=1 (one OpenMP thread an image: it scans sessions in parallel itself). Before
# the timed messages, one message with a screenshot is sent and not counted: Tesseract's loading
# of its language data, once a process, is not a message's cost.
set -euo pipefail
cd "$(dirname "$0")/.."
. benches/milter_start.sh
if [ -d /dev/shm ]; then default_dir=/dev/shm/maildlp-milter-ocr; else default_dir=${TMPDIR:-/tmp}/maildlp-milter-ocr; fi
dir=${1:-$default_dir}
count=${MESSAGES:-200}
parallel=${PARALLEL:-2}
command -v miltertest >/dev/null || { echo "miltertest not found (apt-get install miltertest)" >&2; exit 2; }
make -s -C milter maildlp-milter
export OMP_THREAD_LIMIT=1

rm -rf "$dir"
mkdir -p "$dir/msgs"
mapfile -t plain < <(ls examples/messages/*.eml)
mapfile -t shots < <(ls tests/ocr/screenshots/*.png)
for i in $(seq "$count"); do
    if [ $((i % 20)) -eq 0 ]; then
        png=${shots[$(((i / 20 - 1) % ${#shots[@]}))]}
        {
            printf 'From: sam.reid@police.example\r\nTo: jane.doe@example.net\r\nSubject: the list\r\n'
            printf 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
            printf -- '--b\r\nContent-Type: text/plain\r\n\r\nThe list, as on my screen.\r\n'
            printf -- '--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename="screenshot.png"\r\n'
            printf 'Content-Transfer-Encoding: base64\r\n\r\n'
            base64 -w 76 "$png" | sed 's/$/\r/'
            printf -- '--b--\r\n'
        } >"$dir/msgs/$(printf %04d "$i")-shot.eml"
    else
        cp "${plain[$(((i - 1) % ${#plain[@]}))]}" "$dir/msgs/$(printf %04d "$i")-plain.eml"
    fi
done

# send FILE: one message through the milter; prints its kind (plain, shot), its latency in ms
# and r (rejected), a (accepted) or x (no answer).
send() {
    local t0 out kind=plain
    [[ $1 == *-shot.eml ]] && kind=shot
    t0=$(date +%s%N)
    out=$(miltertest -s milter/tests/send.lua -D socket="unix:$sock" -D file="$1" \
        -D from=sam.reid@police.example -D rcpts=jane.doe@example.net -D qid="Q$RANDOM" 2>&1 || true)
    local ms=$((($(date +%s%N) - t0) / 1000000))
    if grep -q "reply=replycode" <<<"$out"; then v=r; elif grep -q "reply=accept" <<<"$out"; then v=a; else v=x; fi
    echo "$kind $ms $v"
}
export -f send
stats() { # latencies in ms on standard input: median, 95th percentile, largest
    sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "median %d ms, p95 %d ms, largest %d ms (%d)", a[int((NR + 1) / 2)], a[int(NR * 0.95 + 0.999)], a[NR], NR }'
}

for ocr in false true; do
    export sock=$dir/milter.sock
    log=$dir/milter-$ocr.log
    echo "ocr = $ocr" >"$dir/policy.toml"
    start_milter "$sock" "$log" -l tests/ocr/protected.csv -c "$dir/policy.toml"
    send "$(ls "$dir"/msgs/*-shot.eml | head -1)" >/dev/null
    cpu0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    t0=$(date +%s%N)
    ls "$dir"/msgs/*.eml | xargs -P "$parallel" -I{} bash -c 'send "$1"' _ {} >"$dir/results-$ocr.txt"
    wall_ms=$((($(date +%s%N) - t0) / 1000000))
    cpu_ms=$((($(awk '{ print $14 + $15 }' "/proc/$pid/stat") - cpu0) * 1000 / $(getconf CLK_TCK)))
    rss=$(awk '$1 == "VmHWM:" { print int($2 / 1024) }' "/proc/$pid/status")
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    trap - EXIT
    r=$dir/results-$ocr.txt
    echo "ocr = $ocr: $count messages in $wall_ms ms, $(awk -v n="$count" -v w="$wall_ms" 'BEGIN { printf "%.1f", n * 1000 / w }') messages/s;" \
        "milter CPU $cpu_ms ms ($(awk -v n="$count" -v c="$cpu_ms" 'BEGIN { printf "%.1f", c / n }') ms a message), peak resident $rss MB"
    echo "  plain: $(awk '$1 == "plain" { print $2 }' "$r" | stats)"
    echo "  screenshot: $(awk '$1 == "shot" { print $2 }' "$r" | stats)"
    echo "  verdicts: $(awk '{ print $3 }' "$r" | sort | uniq -c | awk '{ printf "%s %s ", $2, $1 }')"
done
