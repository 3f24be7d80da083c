#!/usr/bin/env bash
# Lists at scale, whole process, as a user runs maildlp on one core (taskset -c 0): the goals
# of docs/performance.md, "Large protected lists".
#
#     benches/lists.sh [DIR]        (needs taskset and GNU time; CALLGRIND=1 adds valgrind)
#
# Generates (once, in DIR: default /dev/shm/maildlp-lists, so the disk does not time the run)
# the 1M- and 10M-record lists (examples/generate_corpus: 1M names, 1M emails, 100k phones a
# million records) and the varied corpus (5,000 messages with the 10k-record list), a key,
# and each list sealed. Then prints, for each figure, the median wall time of RUNS runs
# (default 5) and the largest peak RSS:
#   - plain 1M and sealed 1M and 10M lists: open and scan one small message; the plain 1M list
#     with name variants on, and with common given names (every one with variants), off and on;
#   - `seal` of the 1M and 10M lists;
#   - the varied corpus scanned with the plain and the sealed 10k list (ratio: goal <= 1.2);
#   - the scan cost of the varied corpus with the sealed 10M list against the sealed 10k list,
#     each less the time to open its list (ratio: goal <= 1.5).
# With CALLGRIND=1, also the instructions of the corpus scans (every tenth message), which do
# not move with the load of a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d /dev/shm ]; then default_dir=/dev/shm/maildlp-lists; else default_dir=${TMPDIR:-/tmp}/maildlp-lists; fi
dir=${1:-$default_dir}
runs=${RUNS:-5}
cargo build --release --quiet --bin maildlp --example generate_corpus
bin=target/release/maildlp
gen=target/release/examples/generate_corpus
mkdir -p "$dir"
[ -f "$dir/v/protected.csv" ] || "$gen" --varied "$dir/v" 5000 10000 >/dev/null
[ -f "$dir/1m/protected.csv" ] || "$gen" "$dir/1m" 1 1000000 >/dev/null
[ -f "$dir/10m/protected.csv" ] || "$gen" "$dir/10m" 1 10000000 >/dev/null
[ -f "$dir/k.key" ] || "$bin" keygen -o "$dir/k.key"
# The 1M list with every given name one of the 100 common US given names (each has variants),
# and a policy with name variants on.
if [ ! -f "$dir/1m/common.csv" ]; then
    given=$(grep -v '^#' tests/common-names/given.txt | head -n 100 | tr '\n' ' ')
    awk -F, -v g="$given" 'BEGIN { n = split(g, G, " ") }
        NR > 1 && $2 == "name" { i++; sub(/^[^ ]+/, G[(i - 1) % n + 1], $3); print $1 "," $2 "," $3; next }
        { print }' "$dir/1m/protected.csv" >"$dir/1m/common.csv"
fi
echo 'name_variants = true' >"$dir/variants.toml"
msg=$dir/1m/msgs/000000.eml

# measure NAME COMMAND...: RUNS runs on core 0; prints the median wall time, the median CPU
# time (user + system: what an idle core would take, when other work shares the machine) and
# the largest peak RSS, and sets T_NAME (wall) and C_NAME (CPU) for the ratios.
measure() {
    local name=$1
    shift
    local walls=() cpus=() rss=0
    for _ in $(seq "$runs"); do
        # maildlp exits 1 when it warns or blocks: that is no failure here.
        /usr/bin/time -o "$dir/time.out" -f "%e %U %S %M" taskset -c 0 "$@" >/dev/null 2>&1 || true
        read -r wall user sys kb < <(tail -1 "$dir/time.out")
        walls+=("$wall")
        cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
        [ "$kb" -gt "$rss" ] && rss=$kb
    done
    local wall cpu var
    wall=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '%-44s %7.2f s wall %7.2f s CPU %8.0f MB\n' "$name" "$wall" "$cpu" "$((rss / 1024))"
    var=$(echo "$name" | tr -c 'a-zA-Z0-9\n' _)
    eval "T_$var=$wall C_$var=$cpu"
}

for n in v 1m 10m; do
    [ -f "$dir/$n/p.sealed" ] && [ "$dir/$n/p.sealed" -nt "$bin" ] && continue
    "$bin" seal --key "$dir/k.key" "$dir/$n/protected.csv" -o "$dir/$n/p.sealed"
done
echo "lists: $(du -h --apparent-size "$dir/1m/protected.csv" | cut -f1) (1M CSV), $(du -h --apparent-size "$dir/10m/p.sealed" | cut -f1) (10M sealed)"
echo "corpus: $(find "$dir/v/msgs" -type f | wc -l) messages, $(du -sh --apparent-size "$dir/v/msgs" | cut -f1)"
scan="$bin scan --threads 1 --format json"
measure "plain 1M: open + one message" $scan --protected "$dir/1m/protected.csv" "$msg"
measure "plain 1M, variants on: open + one message" $scan --policy "$dir/variants.toml" --protected "$dir/1m/protected.csv" "$msg"
measure "plain 1M common names: open + one message" $scan --protected "$dir/1m/common.csv" "$msg"
measure "the same, variants on" $scan --policy "$dir/variants.toml" --protected "$dir/1m/common.csv" "$msg"
measure "sealed 1M: open + one message" $scan --protected "$dir/1m/p.sealed" --key "$dir/k.key" "$msg"
measure "sealed 10M: open + one message" $scan --protected "$dir/10m/p.sealed" --key "$dir/k.key" "$msg"
measure "sealed 10k: open + one message" $scan --protected "$dir/v/p.sealed" --key "$dir/k.key" "$msg"
measure "seal 1M" "$bin" seal --key "$dir/k.key" "$dir/1m/protected.csv" -o "$dir/1m/p2.sealed"
measure "seal 10M" "$bin" seal --key "$dir/k.key" "$dir/10m/protected.csv" -o "$dir/10m/p2.sealed"
measure "corpus, plain 10k" $scan --protected "$dir/v/protected.csv" "$dir/v/msgs"
measure "corpus, sealed 10k" $scan --protected "$dir/v/p.sealed" --key "$dir/k.key" "$dir/v/msgs"
measure "corpus, sealed 10M" $scan --protected "$dir/10m/p.sealed" --key "$dir/k.key" "$dir/v/msgs"
for t in T C; do
    eval "set -- \$${t}_corpus__plain_10k \$${t}_corpus__sealed_10k \$${t}_corpus__sealed_10M \$${t}_sealed_10k__open___one_message \$${t}_sealed_10M__open___one_message"
    python3 - "$t" "$@" <<'PY'
import sys
what = {"T": "wall", "C": "CPU"}[sys.argv[1]]
plain, s10k, s10m, open10k, open10m = map(float, sys.argv[2:])
r1 = s10k / plain
r2 = (s10m - open10m) / max(s10k - open10k, 1e-9)
print(f"{'sealed 10k / plain 10k, corpus (' + what + ')':52} {r1:7.2f}   (goal <= 1.2)")
print(f"{'sealed 10M / sealed 10k, corpus less open (' + what + ')':52} {r2:7.2f}   (goal <= 1.5)")
PY
done
if [ "${CALLGRIND:-0}" = 1 ]; then
    mkdir -p "$dir/v10"
    [ -n "$(ls -A "$dir/v10")" ] || find "$dir/v/msgs" -type f | sort | awk 'NR % 10 == 0' | xargs cp -t "$dir/v10"
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg.plain1M" $scan --protected "$dir/1m/protected.csv" \
        "$msg" >/dev/null 2>"$dir/cg.plain1M.log" || true
    printf '%-52s %s instructions\n' "plain 1M: open + one message" "$(grep -o 'Collected : [0-9]*' "$dir/cg.plain1M.log" | cut -d' ' -f3)"
    for l in "plain10k:$dir/v/protected.csv" "sealed10k:$dir/v/p.sealed" "sealed10M:$dir/10m/p.sealed"; do
        name=${l%%:*}
        valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$name" $scan --protected "${l#*:}" \
            --key "$dir/k.key" "$dir/v10" >/dev/null 2>"$dir/cg.$name.log" || true
        printf '%-52s %s instructions\n' "corpus/10, $name" "$(grep -o 'Collected : [0-9]*' "$dir/cg.$name.log" | cut -d' ' -f3)"
    done
fi
