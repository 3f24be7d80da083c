#!/usr/bin/env bash
# Makes the archive fixtures of tests/archives.rs with the real tools (GNU tar, gzip, bzip2,
# xz, p7zip's 7z). Every protected person is fictitious (tests/documents/protected.csv); each
# archive holds a different one, so a finding says which archive was read.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=UTC SOURCE_DATE_EPOCH=1733270400
tarit() { tar --sort=name --mtime=@1733270400 --owner=0 --group=0 --numeric-owner -C "$work/$1" -cf - export ; }

mkdir -p "$work/tar/export/notes"
printf 'id,name\n1,Ravi Patel\n' > "$work/tar/export/victims.csv"
printf 'nothing here\n' > "$work/tar/export/notes/readme.txt"
tarit tar > export.tar

mkdir -p "$work/tgz/export"
printf 'id,name\n1,Jane Doe\n' > "$work/tgz/export/victims.csv"
tarit tgz | gzip -n -9 > export.tar.gz

mkdir -p "$work/tbz/export"
printf 'id,name\n1,Amara Okafor\n' > "$work/tbz/export/victims.csv"
tarit tbz | bzip2 -9 > export.tar.bz2

mkdir -p "$work/txz/export"
printf 'id,name\n1,Tomasz Nowak\n' > "$work/txz/export/victims.csv"
tarit txz | xz -6 > export.tar.xz

mkdir -p "$work/7z/inner"
printf 'id,name\n1,Leila Haddad\n' > "$work/7z/victims.csv"
printf 'Priya Sharma was there.\n' > "$work/7z/inner/notes.txt"
tar --sort=name --mtime=@1733270400 --owner=0 --group=0 -C "$work/7z/inner" -cf "$work/7z/inner.tar" notes.txt
rm -r "$work/7z/inner"
(cd "$work/7z" && 7z a -bso0 -bsp0 -mx=9 -mtm=off -mtc=off -mta=off "$work/export.7z" victims.csv inner.tar)
mv "$work/export.7z" export.7z

mkdir -p "$work/named/export"
printf 'nothing here\n' > "$work/named/export/Owen Price statement.txt"
tarit named | gzip -n -9 > named.tgz

printf 'Owen Price\n' | bzip2 -9 > victims.csv.bz2
printf 'Call +44 20 7946 0991\n' | xz -6 > victims.csv.xz

mkdir -p "$work/enc"
printf 'Jane Doe\n' > "$work/enc/secret.txt"
(cd "$work/enc" && 7z a -bso0 -bsp0 -pSecret1 -mhe=on "$work/encrypted.7z" secret.txt)
mv "$work/encrypted.7z" encrypted.7z

mkdir -p "$work/clean"
printf 'Minutes of the meeting. Nobody named.\n' > "$work/clean/minutes.txt"
(cd "$work/clean" && 7z a -bso0 -bsp0 -mtm=off -mtc=off -mta=off "$work/clean.7z" minutes.txt)
mv "$work/clean.7z" clean.7z

# Bombs: a gigabyte of spaces (text, read to the end), compressed.
head -c 1G /dev/zero | tr '\0' ' ' | bzip2 -9 > spaces.bz2
head -c 1G /dev/zero | tr '\0' ' ' | xz -1 -T1 > spaces.xz

# A 7z whose LZMA2 coder declares a 4 GiB dictionary (property byte 40), its header
# checksums made right again, so that only the dictionary is wrong.
printf 'Jane Doe\n' > "$work/huge.txt"
(cd "$work" && 7z a -bso0 -bsp0 -mhc=off -m0=lzma2 "$work/dictionary.7z" huge.txt)
python3 - "$work/dictionary.7z" dictionary.7z <<'PY'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
off, size = struct.unpack_from("<QQ", b, 12)
head = 32 + off
at = b.index(b"\x21\x01", head)  # LZMA2's id, then one property byte
b[at + 2] = 40
struct.pack_into("<I", b, 28, zlib.crc32(b[head:head + size]))
struct.pack_into("<I", b, 8, zlib.crc32(b[12:32]))
open(sys.argv[2], "wb").write(b)
PY
