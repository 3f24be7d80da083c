#!/usr/bin/env bash
# What maildlp's OCR costs against the tesseract command on the same images, as whole
# processes, release build (the issue's goal: OCR of a page at most 1.1x the command):
#
#     benches/ocr_vs_tesseract.sh            (needs libtesseract5 tesseract-ocr-eng tesseract-ocr)
#
# The images are the screenshots of tests/ocr/screenshots (COUNT of them, default all 100),
# each attached to one message. Four runs, each on one core (taskset -c 0 when present) with
# one OpenMP thread (OMP_THREAD_LIMIT=1, as the maildlp binary sets it), best of RUNS (default
# 3) by CPU time:
#   maildlp-ocr   maildlp scan --threads 1 with `ocr = true`: parse, decode, cheap test,
#                 Tesseract, matching against the 455-name list
#   maildlp-off   the same with `ocr = false`: what maildlp costs without OCR
#   tess-list     tesseract LIST stdout --dpi 96: one process reading every image (the
#                 engine's cost)
#   tess-each     tesseract IMAGE stdout --dpi 96, one process an image (as a script runs it)
# (--dpi 96 because maildlp tells Tesseract 96 dpi for an image whose file gives no resolution;
# without it the command estimates one per image and does other work.)
# Prints wall and CPU (user + system) seconds of each, and the ratios
#   maildlp-ocr / tess-list                  (goal: at most 1.1)
#   (maildlp-ocr - maildlp-off) / tess-list  (OCR alone, without reading the mail)
# CPU time is what the ratio rests on: it moves less than wall time when the machine is busy,
# but run it on a quiet machine all the same. MAILDLP=PATH times that binary instead of
# building the release one (COUNT=2 RUNS=1 MAILDLP=target/debug/maildlp: a quick check that
# the script runs).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-100}
runs=${RUNS:-3}
export OMP_THREAD_LIMIT=1
command -v tesseract >/dev/null || { echo "tesseract command not found (apt-get install tesseract-ocr)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time not found (apt-get install time)" >&2; exit 2; }
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
if [ -z "${MAILDLP:-}" ]; then
    cargo build --release --quiet --bin maildlp
    MAILDLP=target/release/maildlp
fi
export MAILDLP
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/msgs"
: >"$work/list.txt"
n=0
for png in tests/ocr/screenshots/*.png; do
    [ "$n" -lt "$count" ] || break
    n=$((n + 1))
    name=$(basename "$png")
    {
        printf 'From: a@police.example\r\nTo: b@example.net\r\nSubject: %s\r\nMIME-Version: 1.0\r\n' "$name"
        printf 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: image/png\r\n'
        printf 'Content-Disposition: attachment; filename="%s"\r\nContent-Transfer-Encoding: base64\r\n\r\n' "$name"
        base64 -w 76 "$png" | sed 's/$/\r/'
        printf '\r\n--b--\r\n'
    } >"$work/msgs/$name.eml"
    echo "$PWD/$png" >>"$work/list.txt"
done
echo 'ocr = true' >"$work/ocr.toml"
echo 'ocr = false' >"$work/off.toml"
maildlp() {
    # maildlp exits 1 when it blocks a message, as it does here.
    "$MAILDLP" scan --threads 1 --format json --protected tests/ocr/protected.csv \
        --policy "$1" "$work/msgs" >/dev/null || [ $? -eq 1 ]
}
each() {
    while read -r png; do tesseract "$png" stdout --dpi 96 >/dev/null 2>&1; done <"$work/list.txt"
}
list() {
    tesseract "$work/list.txt" stdout --dpi 96 >/dev/null 2>&1
}
export -f maildlp each list
export work
# best NAME COMMAND...: the run with the least CPU time of $runs, as "wall cpu".
best() {
    local name=$1
    shift
    local out=""
    for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %U %S' -o "$work/time" "${pin[@]}" "$@"
        out+=$(awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$work/time")$'\n'
    done
    printf '%s' "$out" | sort -k2 -n | head -1 | sed "s/^/$name /"
}
{
    best maildlp-ocr bash -c "maildlp $work/ocr.toml"
    best maildlp-off bash -c "maildlp $work/off.toml"
    best tess-list bash -c list
    best tess-each bash -c each
} | tee "$work/results"
awk -v n="$n" '
    { wall[$1] = $2; cpu[$1] = $3 }
    END {
        printf "%d images, best of runs by CPU time (seconds):\n", n
        split("maildlp-ocr maildlp-off tess-list tess-each", order, " ")
        for (i = 1; i <= 4; i++) { k = order[i]; printf "  %-12s wall %8.2f  cpu %8.2f  (%.0f ms cpu an image)\n", k, wall[k], cpu[k], cpu[k] * 1000 / n }
        printf "maildlp-ocr / tess-list: cpu %.2fx, wall %.2fx (goal: at most 1.1x)\n", cpu["maildlp-ocr"] / cpu["tess-list"], wall["maildlp-ocr"] / wall["tess-list"]
        printf "(maildlp-ocr - maildlp-off) / tess-list: cpu %.2fx\n", (cpu["maildlp-ocr"] - cpu["maildlp-off"]) / cpu["tess-list"]
    }' "$work/results"
