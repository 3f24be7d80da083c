#!/bin/sh
# Makes the S/MIME and PGP/MIME fixtures of tests/secure_mail.rs with OpenSSL and GnuPG.
# The key, certificate and GnuPG home are throwaway, made here and deleted at the end.
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
crlf() { sed 's/$/\r/'; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 3650 -subj "/CN=Officer Test/emailAddress=officer@police.example"
sign() { openssl cms -sign -nodetach -signer "$work/cert.pem" -inkey "$work/key.pem" "$@"; }
headers="-from officer@police.example -to press@paper.example"

# 1. Opaque signed, DER (no streaming): a protected name in the signed text body.
printf 'Content-Type: text/plain; charset=utf-8\n\nThe statement of Jane Doe is attached to the case file.\n' \
    | crlf > "$work/1.txt"
sign -in "$work/1.txt" -outform SMIME $headers -subject "Case update" > opaque-der.eml

# 2. Opaque signed, BER (streamed: indefinite lengths, constructed OCTET STRING): a protected
#    email address in a text attachment inside the signed multipart.
printf 'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\nPlease see the list attached.\n--b1\nContent-Type: text/plain; name="witnesses.txt"\nContent-Disposition: attachment; filename="witnesses.txt"\n\nWitness: jane.doe@example.org\n--b1--\n' \
    | crlf > "$work/2.txt"
sign -stream -in "$work/2.txt" -outform SMIME $headers -subject "Witness list" > opaque-ber.eml

# 3. Signed inside signed (inner DER, outer streamed BER): a protected phone number in the
#    innermost body.
printf 'Content-Type: text/plain\n\nCall her back on 07700 900123 tomorrow.\n' | crlf > "$work/3.txt"
sign -in "$work/3.txt" -outform SMIME | crlf > "$work/3-inner.eml"
sign -stream -in "$work/3-inner.eml" -outform SMIME $headers -subject "Callback" > nested.eml

# 4. A signed file (.p7m, DER) attached as application/octet-stream: a protected case term in
#    the signed file, which is plain text, not a MIME entity.
printf 'Operation Nightjar: the interview is on Monday.\n' > "$work/statement.txt"
sign -binary -in "$work/statement.txt" -outform DER -out "$work/statement.txt.p7m"
{
    printf 'From: officer@police.example\nTo: press@paper.example\nSubject: Signed statement\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="m"\n\n--m\nContent-Type: text/plain\n\nThe signed statement is attached.\n--m\nContent-Type: application/octet-stream; name="statement.txt.p7m"\nContent-Disposition: attachment; filename="statement.txt.p7m"\nContent-Transfer-Encoding: base64\n\n' | crlf
    base64 -w 76 "$work/statement.txt.p7m" | crlf
    printf -- '--m--\n' | crlf
} > p7m-attachment.eml

# 5. Detached signature (multipart/signed): a protected email address in a CSV attachment of
#    the signed part.
printf 'Content-Type: multipart/mixed; boundary="b5"\n\n--b5\nContent-Type: text/plain\n\nThe contact sheet is attached.\n--b5\nContent-Type: text/csv; name="contacts.csv"\nContent-Disposition: attachment; filename="contacts.csv"\n\nname,email\nR. Patel,ravi@example.net\n--b5--\n' \
    | crlf > "$work/5.txt"
openssl cms -sign -signer "$work/cert.pem" -inkey "$work/key.pem" -in "$work/5.txt" -outform SMIME \
    $headers -subject "Contact sheet" > detached.eml

# 6. Enveloped (encrypted) S/MIME: a protected name in the Subject, which is not encrypted;
#    the encrypted body names her too and cannot be read.
openssl cms -encrypt -aes256 -in "$work/1.txt" -outform SMIME $headers -subject "Jane Doe" \
    "$work/cert.pem" > enveloped.eml

# 7. PGP/MIME encrypted with a throwaway GnuPG key: the encrypted text names a protected
#    person and cannot be read; the protected name is in the Cc display name.
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --passphrase '' --quick-gen-key 'Officer Test <officer@police.example>' rsa2048 encr never
printf 'Content-Type: text/plain\n\nThe statement of Jane Doe.\n' | crlf \
    | gpg --batch --armor --trust-model always --encrypt -r officer@police.example > "$work/7.asc"
{
    printf 'From: officer@police.example\nTo: press@paper.example\nCc: "Jane Doe (case officer)" <desk@paper.example>\nSubject: Encrypted\nMIME-Version: 1.0\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="p"\n\n--p\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--p\nContent-Type: application/octet-stream; name="encrypted.asc"\nContent-Disposition: inline; filename="encrypted.asc"\n\n' | crlf
    crlf < "$work/7.asc"
    printf -- '\n--p--\n' | crlf
} > pgp-mime.eml
