#!/bin/sh
# Writes the protected list of 1,000 common full names that docs/matching.md measures name
# variants' false alarms with: the 40 most common given names x the 25 most common surnames
# (given.txt, surnames.txt). Usage: tests/common-names/make-list.sh > common-1000.csv
dir=$(dirname "$0")
echo "id,kind,value"
grep -v '^#' "$dir/given.txt" | head -n 40 | while read -r g; do
  grep -v '^#' "$dir/surnames.txt" | head -n 25 | while read -r s; do
    echo "$g $s"
  done
done | awk '{ printf "N%04d,name,%s\n", NR, $0 }'
