/*
 * exim-maildlp.so: maildlp inside Exim, through ${dlfunc}, over the maildlp C ABI.
 *
 * In acl_smtp_data (docs/deployment.md#exim has the whole ACL):
 *
 *   warn set acl_m_maildlp = ${dlfunc{/usr/lib/maildlp/exim-maildlp.so}{maildlp_exim_scan}\
 *          {/etc/maildlp/protected.sealed}{/etc/maildlp/list.key}{/etc/maildlp/policy.toml}\
 *          {$message_headers_raw}{$spool_directory/input/$message_exim_id-D}{$recipients}}
 *
 * Arguments: the protected list (plain or sealed), its key ("" for a plain list), the policy
 * ("" for the defaults), the message's header lines as received, its spool data file (Exim's
 * "-D" file: one line naming it, then the body), and the envelope recipients (comma-separated).
 *
 * The result is the verdict, then the rules and the record ids, never an identifier:
 *
 *   allow; rules=-; records=-
 *   warn; rules=visible-recipients; records=-
 *   block; rules=protected-recipient-exposed,visible-recipients; records=V01,V02
 *   error; cannot read /etc/maildlp/list.key: Permission denied
 *
 * (the first field, ${extract{1}{;}{$acl_m_maildlp}}, is what the ACL tests; the same text is
 * the value of the milter's X-Maildlp-Verdict header). An error is a result too, so that the
 * ACL decides (defer, as the milter's -e tempfail, or accept); the expansion itself never fails.
 *
 * Exim forks a process for each SMTP connection and loads this object into it once: the
 * scanner is built on the first message and kept for the next ones of that connection, and
 * built again when the list, the key or the policy file has changed (new connections always
 * read the files as they are, so a new list needs no signal). Exim is single-threaded.
 *
 * Exim passes at most header_insert_maxlen (64 KiB) of header lines in $message_headers_raw;
 * a message whose header lines reach that length is scanned as far as passed and reported at
 * least `warn` with the rule scan-incomplete, as maildlp reports what it could not read.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "maildlp.h"
#include "read_file.h"

/* Exim's return codes for a dlfunc (local_scan.h). */
#define EXIM_OK 0

/* What Exim's $message_headers_raw holds at most (header_insert_maxlen's default). */
#define EXIM_HEADER_INSERT_MAXLEN 65536

int maildlp_exim_scan(unsigned char **yield, int argc, unsigned char *argv[]);

/* The result handed back to Exim, which copies it into the expansion. */
static char result[1024];

static int answer(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(result, sizeof result, fmt, ap);
    va_end(ap);
    return EXIM_OK;
}

/* ---- files ---- */

struct stamp {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    bool present;
};

static bool same_stamp(const struct stamp *a, const struct stamp *b) {
    return a->present == b->present && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static struct stamp stamp_of(const char *path) {
    struct stamp s = {0};
    struct stat st;
    if (path[0] != '\0' && stat(path, &st) == 0) {
        s.dev = st.st_dev;
        s.ino = st.st_ino;
        s.size = st.st_size;
        s.mtime = st.st_mtim;
        s.present = true;
    }
    return s;
}

/* ---- the scanner, kept for the life of the process ---- */

static struct {
    maildlp_scanner *scanner;
    char *paths[3]; /* list, key, policy */
    struct stamp stamps[3];
} cache;

static bool cache_fresh(char *const paths[3]) {
    if (cache.scanner == NULL) {
        return false;
    }
    for (int i = 0; i < 3; i++) {
        if (strcmp(cache.paths[i], paths[i]) != 0) {
            return false;
        }
        struct stamp now = stamp_of(paths[i]);
        if (!same_stamp(&now, &cache.stamps[i])) {
            return false;
        }
    }
    return true;
}

static void cache_clear(void) {
    maildlp_scanner_free(cache.scanner);
    cache.scanner = NULL;
    for (int i = 0; i < 3; i++) {
        free(cache.paths[i]);
        cache.paths[i] = NULL;
    }
}

/* The scanner for these files: the cached one while they are unchanged, else a new one. */
static maildlp_scanner *scanner_for(char *const paths[3], char *err, size_t err_len) {
    if (cache_fresh(paths)) {
        return cache.scanner;
    }
    cache_clear();
    struct stamp stamps[3];
    for (int i = 0; i < 3; i++) {
        stamps[i] = stamp_of(paths[i]);
    }
    char *bytes[3] = {NULL, NULL, NULL};
    size_t lens[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (paths[i][0] != '\0' &&
            (bytes[i] = read_file(paths[i], false, SIZE_MAX - 1, &lens[i], err, err_len)) == NULL) {
            for (int j = 0; j < i; j++) {
                free(bytes[j]);
            }
            return NULL;
        }
    }
    maildlp_scanner *s = NULL;
    char why[512] = "";
    maildlp_status st = maildlp_scanner_open((const uint8_t *)bytes[0], lens[0], (const uint8_t *)bytes[1], lens[1],
                                             bytes[2], lens[2], &s, why, sizeof why);
    for (int i = 0; i < 3; i++) {
        free(bytes[i]);
    }
    if (st != MAILDLP_OK) {
        snprintf(err, err_len, "%s: %s", paths[0], why[0] != '\0' ? why : maildlp_status_str(st));
        return NULL;
    }
    for (int i = 0; i < 3; i++) {
        cache.paths[i] = strdup(paths[i]);
        cache.stamps[i] = stamps[i];
        if (cache.paths[i] == NULL) {
            maildlp_scanner_free(s);
            cache_clear();
            snprintf(err, err_len, "out of memory");
            return NULL;
        }
    }
    cache.scanner = s;
    return s;
}

/* ---- recipients ---- */

/* Splits Exim's $recipients ("a@x, b@y") in place; returns the count, or -1 without memory. */
static long split_recipients(char *list, char ***out) {
    size_t cap = 8, n = 0;
    char **v = malloc(cap * sizeof *v);
    if (v == NULL) {
        return -1;
    }
    for (char *p = list; *p != '\0';) {
        while (*p == ' ' || *p == ',' || *p == '\t') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        char *start = p;
        while (*p != '\0' && *p != ',') {
            p++;
        }
        char *end = p;
        if (*p == ',') {
            *p++ = '\0';
        }
        while (end > start && (end[-1] == ' ' || end[-1] == '\t')) {
            *--end = '\0';
        }
        if (n == cap) {
            char **bigger = realloc(v, cap * 2 * sizeof *v);
            if (bigger == NULL) {
                free(v);
                return -1;
            }
            v = bigger;
            cap *= 2;
        }
        v[n++] = start;
    }
    *out = v;
    return (long)n;
}

/* ---- the entry point ---- */

int maildlp_exim_scan(unsigned char **yield, int argc, unsigned char *argv[]) {
    *yield = (unsigned char *)result;
    if (argc != 6) {
        return answer("error; maildlp_exim_scan takes 6 arguments (list, key, policy, headers, data file, "
                      "recipients)");
    }
    char *paths[3] = {(char *)argv[0], (char *)argv[1], (char *)argv[2]};
    const char *headers = (const char *)argv[3];
    const char *data_file = (const char *)argv[4];
    char err[768] = "";
    maildlp_scanner *scanner = scanner_for(paths, err, sizeof err);
    if (scanner == NULL) {
        return answer("error; %s", err);
    }

    /* The message as maildlp reads it: the header lines, a blank line, the body; one byte past
       the policy's limit at most, so that a longer message is reported scan-incomplete. */
    size_t headers_len = strlen(headers);
    bool headers_cut = headers_len + 1 >= EXIM_HEADER_INSERT_MAXLEN;
    size_t limit = maildlp_scanner_max_message_bytes(scanner) + 1;
    size_t body_limit = limit > headers_len + 1 ? limit - headers_len - 1 : 0;
    size_t body_len = 0;
    char *body = read_file(data_file, true, body_limit, &body_len, err, sizeof err);
    if (body == NULL) {
        return answer("error; %s", err);
    }
    size_t message_len = headers_len + 1 + body_len;
    char *message = malloc(message_len + 1);
    char *rcpt_copy = strdup((const char *)argv[5]);
    char **rcpts = NULL;
    long n_rcpts = rcpt_copy != NULL ? split_recipients(rcpt_copy, &rcpts) : -1;
    if (message == NULL || n_rcpts < 0) {
        free(body);
        free(message);
        free(rcpt_copy);
        return answer("error; out of memory");
    }
    memcpy(message, headers, headers_len);
    message[headers_len] = '\n';
    memcpy(message + headers_len + 1, body, body_len);
    free(body);

    maildlp_report *report = NULL;
    maildlp_status st = maildlp_scan(scanner, (const uint8_t *)message, message_len, (const char *const *)rcpts,
                                     (size_t)n_rcpts, &report);
    free(message);
    free(rcpts);
    free(rcpt_copy);
    if (st != MAILDLP_OK) {
        return answer("error; cannot scan: %s", maildlp_status_str(st));
    }
    int verdict = maildlp_report_verdict(report);
    const char *rules = maildlp_report_rules(report);
    const char *records = maildlp_report_records(report);
    char cut_rules[512];
    if (headers_cut && strstr(rules, "scan-incomplete") == NULL) {
        snprintf(cut_rules, sizeof cut_rules, "%s%s%s", rules, rules[0] != '\0' ? "," : "", "scan-incomplete");
        rules = cut_rules;
    }
    if (headers_cut && verdict < 1) {
        verdict = 1;
    }
    const char *name = verdict == 2 ? "block" : verdict == 1 ? "warn" : "allow";
    answer("%s; rules=%s; records=%s", name, rules[0] != '\0' ? rules : "-", records[0] != '\0' ? records : "-");
    maildlp_report_free(report);
    return EXIM_OK;
}
