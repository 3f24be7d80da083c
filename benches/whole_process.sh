#!/usr/bin/env bash
# Whole-process speed, as a user runs maildlp: the varied corpus (tests/corpus twice, plus
# generated mail with HTML, images and real documents attached: examples/generate_corpus.rs
# --varied), JSON output, a 10k-record list; against the parse floor (examples/parse_floor.rs:
# read every file and parse it with mail-parser, every part decoded, one thread).
#
#     benches/whole_process.sh [DIR]      (needs hyperfine and taskset)
#
# DIR holds the corpus (default: /dev/shm/maildlp-bench when /dev/shm exists, so the disk
# does not time the run). Prints hyperfine's table, then the ratios the speed goals name:
#   scan --threads 1 on one core / floor on one core      (goal: at most 1.3)
#   default threads on one core / --threads 1 on one core (goal: at most 1.0, give or take
#     two standard deviations of the two runs)
#   default threads on two cores / --threads 1 on one core (goal: at most 0.6)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d /dev/shm ]; then default_dir=/dev/shm/maildlp-bench; else default_dir=${TMPDIR:-/tmp}/maildlp-bench; fi
dir=${1:-$default_dir}
runs=${RUNS:-10}
cargo build --release --quiet --bin maildlp --example parse_floor --example generate_corpus
if [ ! -d "$dir/msgs" ]; then
    target/release/examples/generate_corpus --varied "$dir" 5000 10000
fi
echo "corpus: $(find "$dir/msgs" -type f | wc -l) messages, $(du -sh --apparent-size "$dir/msgs" | cut -f1)"
scan="target/release/maildlp scan --format json --protected $dir/protected.csv $dir/msgs"
# maildlp exits 1 when it blocks a message: -i keeps hyperfine from taking that for a failure.
hyperfine -N -i --warmup 2 --runs "$runs" --export-json "$dir/results.json" \
    -n floor "taskset -c 0 target/release/examples/parse_floor $dir/msgs" \
    -n threads1 "taskset -c 0 $scan --threads 1" \
    -n default1 "taskset -c 0 $scan" \
    -n default2 "taskset -c 0,1 $scan"
python3 - "$dir/results.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] for k, v in r.items()}
# "No slower" allows for noise: two standard deviations of the ratio (both runs are the same
# code path when one core is all there is).
rel = lambda k: (r[k]["stddev"] or 0.0) / med[k]
noise = 2 * (rel("default1") ** 2 + rel("threads1") ** 2) ** 0.5
checks = [
    ("scan --threads 1 / floor (one core)", med["threads1"] / med["floor"], 1.3),
    ("default / --threads 1 (one core)", med["default1"] / med["threads1"], round(1.0 + noise, 3)),
    ("default on two cores / --threads 1 on one", med["default2"] / med["threads1"], 0.6),
]
for name, k in [("floor", "floor"), ("--threads 1, one core", "threads1"), ("default, one core", "default1"), ("default, two cores", "default2")]:
    print(f"{name:32} median {med[k]:.3f} s  (min {r[k]['min']:.3f}, max {r[k]['max']:.3f})")
for name, ratio, goal in checks:
    print(f"{name:44} {ratio:.2f}  (goal <= {goal}) {'met' if ratio <= goal else 'NOT MET'}")
PY
