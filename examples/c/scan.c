/*
 * Scan one message with maildlp from C: the smallest complete use of the C ABI.
 *
 *   cargo build --release --features ffi
 *   make -C examples/c
 *   examples/c/scan examples/protected.csv examples/messages/incident-cc.eml examples/policy.toml
 *
 * Arguments: LIST.csv MESSAGE [POLICY.toml] [RCPT...]. Prints the verdict and the JSON report;
 * exits 0 (allow), 1 (warn or block) or 2 (error), like `maildlp scan`.
 */
#include "maildlp.h"

#include <stdio.h>
#include <stdlib.h>

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, 2 * cap + 1);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = n;
    }
    return buf;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s LIST.csv MESSAGE [POLICY.toml] [RCPT...]\n", argv[0]);
        return 2;
    }
    size_t list_len = 0, msg_len = 0, policy_len = 0;
    char *list = slurp(argv[1], &list_len);
    char *msg = slurp(argv[2], &msg_len);
    char *policy = argc > 3 ? slurp(argv[3], &policy_len) : NULL;
    if (!list || !msg || (argc > 3 && !policy)) {
        return 2;
    }

    /* Build the scanner once; a mail server keeps it for its lifetime and shares it. */
    maildlp_scanner *scanner = NULL;
    char err[512];
    maildlp_status st = maildlp_scanner_new(list, list_len, policy, policy_len, &scanner, err, sizeof err);
    if (st != MAILDLP_OK) {
        fprintf(stderr, "maildlp: %s: %s\n", maildlp_status_str(st), err);
        return 2;
    }

    /* Envelope recipients (RCPT TO): the arguments after the policy. */
    const char *const *rcpts = argc > 4 ? (const char *const *)&argv[4] : NULL;
    size_t n_rcpts = argc > 4 ? (size_t)(argc - 4) : 0;

    maildlp_report *report = NULL;
    st = maildlp_scan(scanner, (const uint8_t *)msg, msg_len, rcpts, n_rcpts, &report);
    int code = 2;
    if (st == MAILDLP_OK) {
        static const char *const names[] = {"allow", "warn", "block"};
        int verdict = maildlp_report_verdict(report);
        printf("verdict: %s\n%s\n", names[verdict], maildlp_report_json(report, NULL));
        code = verdict == 0 ? 0 : 1;
    } else {
        fprintf(stderr, "maildlp: %s\n", maildlp_status_str(st));
    }

    maildlp_report_free(report);
    maildlp_scanner_free(scanner);
    free(list);
    free(msg);
    free(policy);
    return code;
}
