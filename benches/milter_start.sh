# Sourced by the milter benches (benches/milter_reload.sh, benches/milter_ocr.sh).
#
# start_milter SOCKET LOG ARGS...: starts milter/maildlp-milter in the foreground on the unix
# socket SOCKET with ARGS (list, key, policy), its standard error in LOG; sets `pid`, kills the
# milter when the script exits, and returns once it says it is listening (exits, showing LOG,
# if the milter stops first).
start_milter() {
    local sock=$1 log=$2
    shift 2
    rm -f "$sock"
    : >"$log"
    milter/maildlp-milter -f -s "unix:$sock" "$@" </dev/null >/dev/null 2>"$log" &
    pid=$!
    trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
    until grep -q "listening on" "$log"; do
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
        sleep 0.1
    done
}
