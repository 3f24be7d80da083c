#!/bin/sh
# Legacy Excel workbooks for tests/evidence.rs, written by LibreOffice (the real producer of
# .xls files today): a 40-row sheet whose row 30 holds a valid NHS number under a column
# headed "NHS number" (nhs-column.xls) or "Reference" (reference-column.xls). The header
# stands far more than 300 characters above the value, so only the column makes it `high`.
# Run from this directory: sh make_xls.sh (needs soffice: Debian's libreoffice-calc-nogui).
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for pair in "nhs-column:NHS number" "reference-column:Reference"; do
    file=${pair%%:*}
    label=${pair#*:}
    {
        echo "Name,$label,Notes"
        i=1
        for name in $(seq 1 40); do
            case $((i % 6)) in
                0) n="Alice Brown" ;; 1) n="Tom Hughes" ;; 2) n="Sara Khan" ;;
                3) n="Owen Price" ;; 4) n="Megan Lloyd" ;; *) n="Rhys Evans" ;;
            esac
            if [ "$i" -eq 30 ]; then v="943 476 5919"; else v="pending"; fi
            echo "$n,$v,seen on 0$((1 + i % 9))/03/2024"
            i=$((i + 1))
        done
    } > "$tmp/$file.csv"
done
soffice -env:UserInstallation="file://$tmp/profile" --headless --convert-to xls --outdir . \
    "$tmp/nhs-column.csv" "$tmp/reference-column.csv"
