#!/usr/bin/env bash
# What maildlp's OCR of one page costs against the tesseract command on the same image, in
# instructions (valgrind's callgrind: a count a busy machine does not move), release build:
#
#     benches/ocr_callgrind.sh        (needs valgrind, libtesseract5 tesseract-ocr-eng
#                                      tesseract-ocr, python3-pil fonts-liberation)
#
# Images: tests/ocr/screenshots/002.png (a small screenshot, 800 x 215, no resolution in the
# file), and the two of benches/ocr_pages.py: screen.png (a whole 1920 x 1080 screen, 96 dpi in
# the file) and scan.jpg (an A4 page scanned at 300 dpi, 2480 x 3508, grey JPEG). IMAGES="a.png
# b.jpg" measures others instead.
#
# For each image, two processes, both with OMP_THREAD_LIMIT=1 (one OpenMP thread, as the
# maildlp binary sets it) and Tesseract's defaults on both sides (English, page segmentation 3,
# the LSTM engine):
#   tess      tesseract IMAGE stdout           (the image's resolution read from its file; 96
#                                               dpi given with --dpi when the file has none,
#                                               as maildlp assumes)
#   maildlp   maildlp scan --threads 1 with `ocr = true` on one message with the image attached
#             (base64), against the 455 names of tests/ocr/protected.csv
# Printed: the instructions of each process (Ir) and of its loading of Tesseract's language
# data (the inclusive count of tesseract::TessBaseAPI::Init, which both call once a process:
# maildlp keeps its engines between images), then per page (the process less that loading:
# the page, with each program's own start, maildlp's reading of the list and the mail
# included) with the ratio maildlp / tesseract (the goal: at most 1.1), and the same for the
# whole process.
# KEEP=DIR keeps the callgrind files there (tess-IMAGE.out, maildlp-IMAGE.out) for
# callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_THREAD_LIMIT=1
for tool in valgrind tesseract; do
    command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 2; }
done
if [ -z "${MAILDLP:-}" ]; then
    cargo build --release --quiet --bin maildlp
    MAILDLP=target/release/maildlp
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "${IMAGES:-}" ]; then
    /usr/bin/python3 benches/ocr_pages.py "$work"
    IMAGES="tests/ocr/screenshots/002.png $work/screen.png $work/scan.jpg"
fi
echo 'ocr = true' >"$work/ocr.toml"
# ir OUT COMMAND...: the instructions callgrind counts in the process (threads included),
# its profile written to OUT.
ir() {
    local out=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >"$work/cg.stdout" 2>"$work/cg.log" \
        || [ $? -eq 1 ] # maildlp exits 1 when it blocks a message, as it does here.
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/cg.log"
}
# init OUT: the instructions of tesseract::TessBaseAPI::Init and all it calls.
init() {
    # (awk stops reading at the first match: the annotator's broken pipe is no failure.)
    { callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null || true; } \
        | awk '/tesseract::TessBaseAPI::Init\(/ { gsub(",", "", $1); print $1; exit }'
}
message() {
    local type=$1 name=$2 image=$3
    printf 'From: a@police.example\r\nTo: b@example.net\r\nSubject: %s\r\nMIME-Version: 1.0\r\n' "$name"
    printf 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: %s\r\n' "$type"
    printf 'Content-Disposition: attachment; filename="%s"\r\nContent-Transfer-Encoding: base64\r\n\r\n' "$name"
    base64 -w 76 "$image" | sed 's/$/\r/'
    printf '\r\n--b--\r\n'
}
keep=${KEEP:-$work}
mkdir -p "$keep"
printf '%-10s %14s %14s %13s %13s %14s %14s %8s %8s\n' image "tess" "maildlp" "tess load" "maildlp load" \
    "tess page" "maildlp page" "page" "process"
for image in $IMAGES; do
    name=$(basename "$image")
    case "$name" in
        *.png) type=image/png ;;
        *.jpg | *.jpeg) type=image/jpeg ;;
        *.tif | *.tiff) type=image/tiff ;;
        *) type=application/octet-stream ;;
    esac
    dpi=()
    # The command's own reading of the file's resolution, or 96 (a screen's) when it has none.
    if ! /usr/bin/python3 -c 'import sys; from PIL import Image; sys.exit(not Image.open(sys.argv[1]).info.get("dpi"))' "$image"; then
        dpi=(--dpi 96)
    fi
    rm -rf "$work/m1"
    mkdir "$work/m1"
    message "$type" "$name" "$image" >"$work/m1/1.eml"
    t=$(ir "$keep/tess-$name.out" tesseract "$image" stdout "${dpi[@]}")
    m=$(ir "$keep/maildlp-$name.out" "$MAILDLP" scan --threads 1 --format json --protected tests/ocr/protected.csv \
        --policy "$work/ocr.toml" "$work/m1")
    tl=$(init "$keep/tess-$name.out")
    ml=$(init "$keep/maildlp-$name.out")
    awk -v n="$name" -v t="$t" -v m="$m" -v tl="$tl" -v ml="$ml" 'BEGIN {
        printf "%-10s %14.0f %14.0f %13.0f %13.0f %14.0f %14.0f %7.3fx %7.3fx\n", n, t, m, tl, ml, t - tl, m - ml, (m - ml) / (t - tl), m / t }'
done
