/*
 * The maildlp C ABI, tested from C: every function, every error status, the incident message
 * (block) and its Bcc twin (allow) with plain and sealed lists, 8 threads sharing one
 * scanner, and a PDF on which a reader inside maildlp panics: reported unreadable, and nothing
 * written on standard error.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude tests/c/test_maildlp.c \
 *      target/release/libmaildlp.a -lpthread -ldl -lm -o target/test_maildlp
 *   target/test_maildlp examples [tests/c [tests/data]]
 */
#define _POSIX_C_SOURCE 200809L
#include "maildlp.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed = 0, failed = 0;

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (cond) {                                                           \
            passed++;                                                         \
        } else {                                                              \
            failed++;                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                     \
    } while (0)

static char *read_file(const char *dir, const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    fclose(f);
    if (!buf) {
        exit(2);
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static const char LIST[] =
    "id,kind,value\n"
    "V01,name,Jane Doe\n"
    "V01,email,jane.doe@example.org\n"
    "V02,email,ravi@example.net\n";

static void test_static_strings(void) {
    const char *v = maildlp_version();
    CHECK(v != NULL && strlen(v) > 0);
    const maildlp_status all[] = {MAILDLP_OK, MAILDLP_NULL_ARGUMENT, MAILDLP_INVALID_UTF8, MAILDLP_INVALID_LIST,
                                  MAILDLP_INVALID_POLICY, MAILDLP_INVALID_ADDRESS, MAILDLP_INVALID_KEY,
                                  MAILDLP_PANIC};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *s = maildlp_status_str(all[i]);
        CHECK(s != NULL && strcmp(s, "unknown status") != 0);
        for (size_t j = 0; j < i; j++) {
            CHECK(strcmp(s, maildlp_status_str(all[j])) != 0);
        }
    }
    CHECK(strcmp(maildlp_status_str((maildlp_status)42), "unknown status") == 0);
    CHECK(MAILDLP_OK == 0 && MAILDLP_NULL_ARGUMENT == 1 && MAILDLP_INVALID_UTF8 == 2 && MAILDLP_INVALID_LIST == 3 &&
          MAILDLP_INVALID_POLICY == 4 && MAILDLP_INVALID_ADDRESS == 5 && MAILDLP_INVALID_KEY == 6 &&
          MAILDLP_PANIC == 100);
}

static void test_scanner_errors(void) {
    maildlp_scanner *s = (maildlp_scanner *)1;
    char err[256];

    CHECK(maildlp_scanner_new(NULL, 10, NULL, 0, &s, err, sizeof err) == MAILDLP_NULL_ARGUMENT);
    CHECK(s == NULL);
    CHECK(strlen(err) > 0);
    CHECK(maildlp_scanner_new(LIST, strlen(LIST), NULL, 0, NULL, err, sizeof err) == MAILDLP_NULL_ARGUMENT);

    static const char bad_list[] = "id,kind,value\nV01,name,Jane\nV01,phone,12\n";
    s = (maildlp_scanner *)1;
    CHECK(maildlp_scanner_new(bad_list, strlen(bad_list), NULL, 0, &s, err, sizeof err) == MAILDLP_INVALID_LIST);
    CHECK(s == NULL);
    CHECK(strstr(err, "line 3") != NULL);

    static const char bad_utf8[] = "id,kind,value\nV01,name,J\xff" "ne\n";
    CHECK(maildlp_scanner_new(bad_utf8, strlen(bad_utf8), NULL, 0, &s, err, sizeof err) == MAILDLP_INVALID_UTF8);
    CHECK(strstr(err, "line 2") != NULL);

    static const char bad_policy[] = "max_visible = 3\n";
    CHECK(maildlp_scanner_new(LIST, strlen(LIST), bad_policy, strlen(bad_policy), &s, err, sizeof err) ==
          MAILDLP_INVALID_POLICY);
    CHECK(strstr(err, "max_visible") != NULL);
    static const char bad_policy_utf8[] = "internal_domains = [\"\xff\"]";
    CHECK(maildlp_scanner_new(LIST, strlen(LIST), bad_policy_utf8, strlen(bad_policy_utf8), &s, err, sizeof err) ==
          MAILDLP_INVALID_UTF8);

    /* The message is truncated to the buffer and NUL-terminated; no buffer is fine too. */
    char small[8];
    memset(small, 'x', sizeof small);
    CHECK(maildlp_scanner_new(bad_list, strlen(bad_list), NULL, 0, &s, small, sizeof small) == MAILDLP_INVALID_LIST);
    CHECK(strlen(small) == sizeof small - 1);
    char untouched[4] = {'a', 'b', 'c', 'd'};
    CHECK(maildlp_scanner_new(bad_list, strlen(bad_list), NULL, 0, &s, untouched, 0) == MAILDLP_INVALID_LIST);
    CHECK(untouched[0] == 'a' && untouched[3] == 'd');
    CHECK(maildlp_scanner_new(bad_list, strlen(bad_list), NULL, 0, &s, NULL, 0) == MAILDLP_INVALID_LIST);

    /* NULL policy: the defaults. */
    CHECK(maildlp_scanner_new(LIST, strlen(LIST), NULL, 0, &s, err, sizeof err) == MAILDLP_OK);
    CHECK(s != NULL);
    maildlp_scanner_free(s);
    maildlp_scanner_free(NULL);
}

static void test_scan_errors(void) {
    maildlp_scanner *s = NULL;
    CHECK(maildlp_scanner_new(LIST, strlen(LIST), NULL, 0, &s, NULL, 0) == MAILDLP_OK);
    static const char msg[] = "From: a@police.example\r\nTo: jane.doe@example.org\r\nSubject: x\r\n\r\nDear Jane Doe\r\n";
    const uint8_t *m = (const uint8_t *)msg;
    size_t n = strlen(msg);
    maildlp_report *r = (maildlp_report *)1;

    CHECK(maildlp_scan(NULL, m, n, NULL, 0, &r) == MAILDLP_NULL_ARGUMENT);
    CHECK(r == NULL);
    CHECK(maildlp_scan(s, m, n, NULL, 0, NULL) == MAILDLP_NULL_ARGUMENT);
    CHECK(maildlp_scan(s, NULL, 5, NULL, 0, &r) == MAILDLP_NULL_ARGUMENT);
    CHECK(maildlp_scan(s, m, n, NULL, 1, &r) == MAILDLP_NULL_ARGUMENT);
    const char *with_null[] = {"a@b.example", NULL};
    CHECK(maildlp_scan(s, m, n, with_null, 2, &r) == MAILDLP_NULL_ARGUMENT);
    const char *not_utf8[] = {"\xff@b.example"};
    CHECK(maildlp_scan(s, m, n, not_utf8, 1, &r) == MAILDLP_INVALID_UTF8);
    const char *not_address[] = {"not an address"};
    CHECK(maildlp_scan(s, m, n, not_address, 1, &r) == MAILDLP_INVALID_ADDRESS);
    CHECK(r == NULL);

    /* To the protected person alone: allowed; with a journalist in the envelope: blocked. */
    const char *own[] = {"jane.doe@example.org"};
    CHECK(maildlp_scan(s, m, n, own, 1, &r) == MAILDLP_OK);
    CHECK(maildlp_report_verdict(r) == 0);
    maildlp_report_free(r);
    const char *press[] = {"jane.doe@example.org", "press@paper.example"};
    CHECK(maildlp_scan(s, m, n, press, 2, &r) == MAILDLP_OK);
    CHECK(maildlp_report_verdict(r) == 2);
    maildlp_report_free(r);

    /* An empty message may be NULL. */
    CHECK(maildlp_scan(s, NULL, 0, NULL, 0, &r) == MAILDLP_OK);
    CHECK(maildlp_report_verdict(r) == 0);
    maildlp_report_free(r);

    size_t len = 99;
    CHECK(maildlp_report_verdict(NULL) == -1);
    CHECK(maildlp_report_json(NULL, &len) == NULL && len == 0);
    maildlp_report_free(NULL);
    maildlp_scanner_free(s);
}

struct incident {
    const maildlp_scanner *scanner;
    const char *cc;
    size_t cc_len;
    const char *bcc;
    size_t bcc_len;
    int errors;
};

static void test_incident(struct incident *in) {
    maildlp_report *r = NULL;
    CHECK(maildlp_scan(in->scanner, (const uint8_t *)in->cc, in->cc_len, NULL, 0, &r) == MAILDLP_OK);
    CHECK(maildlp_report_verdict(r) == 2);
    size_t len = 0;
    const char *json = maildlp_report_json(r, &len);
    CHECK(json != NULL && strlen(json) == len);
    CHECK(strncmp(json, "{\"verdict\":\"block\"", 18) == 0);
    CHECK(strstr(json, "\"rule\":\"protected-recipient-exposed\"") != NULL);
    CHECK(strstr(json, "\"rule\":\"visible-recipients\"") != NULL);
    CHECK(strstr(json, "Jane Doe") == NULL);
    CHECK(maildlp_report_json(r, NULL) == json);
    maildlp_report_free(r);

    CHECK(maildlp_scan(in->scanner, (const uint8_t *)in->bcc, in->bcc_len, NULL, 0, &r) == MAILDLP_OK);
    CHECK(maildlp_report_verdict(r) == 0);
    CHECK(strcmp(maildlp_report_json(r, NULL), "{\"verdict\":\"allow\",\"findings\":[]}") == 0);
    maildlp_report_free(r);
}

/* Scans `msg` (a PDF on which pdf-extract panics) and checks its report names the reader. */
static void *scan_panicking(void *arg) {
    const struct incident *in = arg;
    maildlp_report *r = NULL;
    CHECK(maildlp_scan(in->scanner, (const uint8_t *)in->cc, in->cc_len, NULL, 0, &r) == MAILDLP_OK);
    const char *json = maildlp_report_json(r, NULL);
    CHECK(json != NULL && strstr(json, "\"reader\":\"pdf: text of page 1 at pdf-extract-") != NULL);
    CHECK(json != NULL && strstr(json, "\"rule\":\"protected-identifier\"") != NULL);
    maildlp_report_free(r);
    return NULL;
}

/* A panic caught inside maildlp prints nothing: standard error is sent to a file while the
 * message is scanned on this thread and on another, and the file stays empty. */
static void test_caught_panic(const maildlp_scanner *scanner, const char *data) {
    struct incident in = {scanner, NULL, 0, NULL, 0, 0};
    char *msg = read_file(data, "pdf-reader-panics.eml", &in.cc_len);
    in.cc = msg;
    FILE *caught = tmpfile();
    CHECK(caught != NULL);
    if (!caught) {
        free(msg);
        return;
    }
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    CHECK(saved >= 0 && dup2(fileno(caught), STDERR_FILENO) >= 0);
    scan_panicking(&in);
    pthread_t thread;
    int started = pthread_create(&thread, NULL, scan_panicking, &in) == 0;
    if (started) {
        pthread_join(thread, NULL);
    }
    fflush(stderr);
    long written = ftell(caught) < 0 ? -1 : (fseek(caught, 0, SEEK_END), ftell(caught));
    dup2(saved, STDERR_FILENO);
    close(saved);
    CHECK(started);
    CHECK(written == 0);
    fclose(caught);
    free(msg);
}

/* Where the body starts: after the first empty line (CRLF or LF). */
static const char *body_of(const char *text) {
    const char *crlf = strstr(text, "\r\n\r\n");
    return crlf != NULL ? crlf : strstr(text, "\n\n");
}

/* The incident, fixed: every victim moved to Bcc, the body untouched, and the result allowed. */
static void test_fix_bcc(struct incident *in) {
    uint8_t *fixed = NULL;
    size_t fixed_len = 0;
    CHECK(maildlp_fix_bcc(in->scanner, (const uint8_t *)in->cc, in->cc_len, &fixed, &fixed_len) == MAILDLP_OK);
    CHECK(fixed != NULL && fixed_len > 0);
    if (fixed == NULL) {
        return;
    }
    char *text = malloc(fixed_len + 1);
    CHECK(text != NULL);
    if (text == NULL) {
        maildlp_bytes_free(fixed, fixed_len);
        return;
    }
    memcpy(text, fixed, fixed_len);
    text[fixed_len] = '\0';
    CHECK(strstr(text, "\nBcc: ") != NULL);
    CHECK(strstr(text, "\nCc: ") == NULL);
    const char *cc_body = body_of(in->cc);
    const char *fixed_body = body_of(text);
    CHECK(cc_body != NULL && fixed_body != NULL && strcmp(cc_body, fixed_body) == 0);
    maildlp_report *r = NULL;
    CHECK(maildlp_scan(in->scanner, fixed, fixed_len, NULL, 0, &r) == MAILDLP_OK);
    CHECK(maildlp_report_verdict(r) == 0);
    maildlp_report_free(r);
    free(text);
    maildlp_bytes_free(fixed, fixed_len);

    /* Bad arguments are statuses; the outputs are cleared. */
    fixed = (uint8_t *)in->cc;
    fixed_len = 7;
    CHECK(maildlp_fix_bcc(NULL, (const uint8_t *)in->cc, in->cc_len, &fixed, &fixed_len) == MAILDLP_NULL_ARGUMENT);
    CHECK(fixed == NULL && fixed_len == 0);
    CHECK(maildlp_fix_bcc(in->scanner, NULL, 3, &fixed, &fixed_len) == MAILDLP_NULL_ARGUMENT);
    CHECK(maildlp_fix_bcc(in->scanner, (const uint8_t *)in->cc, in->cc_len, NULL, &fixed_len) == MAILDLP_NULL_ARGUMENT);
    CHECK(maildlp_fix_bcc(in->scanner, (const uint8_t *)in->cc, in->cc_len, &fixed, NULL) == MAILDLP_NULL_ARGUMENT);
    maildlp_bytes_free(NULL, 0);
}

/* A sealed list (tests/c/protected.sealed, sealed from examples/protected.csv with the key in
   tests/c/test.key): the same verdicts as the plain list; a wrong key is MAILDLP_INVALID_KEY. */
static void test_sealed(const char *dir, struct incident *in) {
    size_t sealed_len, key_len, policy_len;
    char *sealed = read_file(dir, "protected.sealed", &sealed_len);
    char *key = read_file(dir, "test.key", &key_len);
    char *policy = read_file(dir, "../../examples/policy.toml", &policy_len);
    maildlp_scanner *s = NULL;
    char err[256] = "";
    CHECK(maildlp_scanner_new_sealed((const uint8_t *)sealed, sealed_len, (const uint8_t *)key, key_len, policy,
                                     policy_len, &s, err, sizeof err) == MAILDLP_OK);
    if (s != NULL) {
        maildlp_report *r = NULL;
        CHECK(maildlp_scan(s, (const uint8_t *)in->cc, in->cc_len, NULL, 0, &r) == MAILDLP_OK);
        CHECK(maildlp_report_verdict(r) == 2);
        maildlp_report_free(r);
        CHECK(maildlp_scan(s, (const uint8_t *)in->bcc, in->bcc_len, NULL, 0, &r) == MAILDLP_OK);
        CHECK(maildlp_report_verdict(r) == 0);
        maildlp_report_free(r);
        maildlp_scanner_free(s);
    }
    /* Another key, a malformed key, a damaged list, NULL arguments. */
    char other[65];
    memcpy(other, key, 64);
    other[0] = other[0] == 'a' ? 'b' : 'a';
    other[64] = '\0';
    s = (maildlp_scanner *)1;
    CHECK(maildlp_scanner_new_sealed((const uint8_t *)sealed, sealed_len, (const uint8_t *)other, 64, NULL, 0, &s, err,
                                     sizeof err) == MAILDLP_INVALID_KEY);
    CHECK(s == NULL && strstr(err, "not the one") != NULL);
    CHECK(maildlp_scanner_new_sealed((const uint8_t *)sealed, sealed_len, (const uint8_t *)"abc", 3, NULL, 0, &s, err,
                                     sizeof err) == MAILDLP_INVALID_KEY);
    CHECK(maildlp_scanner_new_sealed((const uint8_t *)sealed, sealed_len / 2, (const uint8_t *)key, key_len, NULL, 0, &s,
                                     err, sizeof err) == MAILDLP_INVALID_LIST);
    CHECK(maildlp_scanner_new_sealed(NULL, 10, (const uint8_t *)key, key_len, NULL, 0, &s, err, sizeof err) ==
          MAILDLP_NULL_ARGUMENT);
    CHECK(maildlp_scanner_new_sealed((const uint8_t *)sealed, sealed_len, NULL, 32, NULL, 0, &s, err, sizeof err) ==
          MAILDLP_NULL_ARGUMENT);
    CHECK(maildlp_scanner_new_sealed((const uint8_t *)sealed, sealed_len, (const uint8_t *)key, key_len, NULL, 0, NULL,
                                     err, sizeof err) == MAILDLP_NULL_ARGUMENT);
    free(sealed);
    free(key);
    free(policy);
}

/* maildlp_scanner_open: the bytes decide plain or sealed (tests/c/protected.sealed, sealed from
   examples/protected.csv with tests/c/test.key); each gives the plain list's verdicts. A sealed
   list without its key, or with another, is MAILDLP_INVALID_KEY; a bad CSV names its line. */
static void test_open(const char *dir, const char *list, size_t list_len, struct incident *in) {
    size_t sealed_len, key_len, policy_len;
    char *sealed = read_file(dir, "protected.sealed", &sealed_len);
    char *key = read_file(dir, "test.key", &key_len);
    char *policy = read_file(dir, "../../examples/policy.toml", &policy_len);
    const uint8_t *sl = (const uint8_t *)sealed, *k = (const uint8_t *)key, *pl = (const uint8_t *)list;
    char err[256] = "";

    struct {
        const uint8_t *list;
        size_t list_len;
        const uint8_t *key;
        size_t key_len;
    } good[] = {
        {pl, list_len, NULL, 0},         /* plain, no key */
        {pl, list_len, k, key_len},      /* plain, a key it does not need */
        {sl, sealed_len, k, key_len},    /* sealed, its key */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        maildlp_scanner *s = (maildlp_scanner *)1;
        CHECK(maildlp_scanner_open(good[i].list, good[i].list_len, good[i].key, good[i].key_len, policy, policy_len,
                                   &s, err, sizeof err) == MAILDLP_OK);
        if (s == NULL || s == (maildlp_scanner *)1) {
            fprintf(stderr, "maildlp_scanner_open case %zu: %s\n", i, err);
            continue;
        }
        maildlp_report *r = NULL;
        CHECK(maildlp_scan(s, (const uint8_t *)in->cc, in->cc_len, NULL, 0, &r) == MAILDLP_OK);
        CHECK(maildlp_report_verdict(r) == 2);
        maildlp_report_free(r);
        CHECK(maildlp_scan(s, (const uint8_t *)in->bcc, in->bcc_len, NULL, 0, &r) == MAILDLP_OK);
        CHECK(maildlp_report_verdict(r) == 0);
        maildlp_report_free(r);
        maildlp_scanner_free(s);
    }

    maildlp_scanner *s = (maildlp_scanner *)1;
    /* Sealed without a key; with another key; with a malformed one; cut short. */
    CHECK(maildlp_scanner_open(sl, sealed_len, NULL, 0, NULL, 0, &s, err, sizeof err) == MAILDLP_INVALID_KEY);
    CHECK(s == NULL && strstr(err, "the list is sealed") != NULL);
    char other[65];
    memcpy(other, key, 64);
    other[0] = other[0] == 'a' ? 'b' : 'a';
    other[64] = '\0';
    CHECK(maildlp_scanner_open(sl, sealed_len, (const uint8_t *)other, 64, NULL, 0, &s, err, sizeof err) ==
          MAILDLP_INVALID_KEY);
    CHECK(s == NULL && strstr(err, "not the one") != NULL);
    CHECK(maildlp_scanner_open(sl, sealed_len, (const uint8_t *)"abc", 3, NULL, 0, &s, err, sizeof err) ==
          MAILDLP_INVALID_KEY);
    CHECK(maildlp_scanner_open(sl, sealed_len / 2, k, key_len, NULL, 0, &s, err, sizeof err) == MAILDLP_INVALID_LIST);

    /* A bad CSV names its line; a bad policy names its key. */
    static const char bad_list[] = "id,kind,value\nV01,name,Jane\nV01,phone,12\n";
    CHECK(maildlp_scanner_open((const uint8_t *)bad_list, strlen(bad_list), NULL, 0, NULL, 0, &s, err, sizeof err) ==
          MAILDLP_INVALID_LIST);
    CHECK(s == NULL && strstr(err, "line 3") != NULL);
    static const char bad_policy[] = "max_visible = 3\n";
    CHECK(maildlp_scanner_open(pl, list_len, NULL, 0, bad_policy, strlen(bad_policy), &s, err, sizeof err) ==
          MAILDLP_INVALID_POLICY);
    CHECK(strstr(err, "max_visible") != NULL);

    /* NULL arguments: the list, a key with a length, out. */
    CHECK(maildlp_scanner_open(NULL, 10, NULL, 0, NULL, 0, &s, err, sizeof err) == MAILDLP_NULL_ARGUMENT);
    CHECK(s == NULL && strlen(err) > 0);
    CHECK(maildlp_scanner_open(sl, sealed_len, NULL, 32, NULL, 0, &s, err, sizeof err) == MAILDLP_NULL_ARGUMENT);
    CHECK(maildlp_scanner_open(pl, list_len, NULL, 0, NULL, 0, NULL, err, sizeof err) == MAILDLP_NULL_ARGUMENT);
    /* No message buffer is fine. */
    CHECK(maildlp_scanner_open(sl, sealed_len, NULL, 0, NULL, 0, &s, NULL, 0) == MAILDLP_INVALID_KEY);

    free(sealed);
    free(key);
    free(policy);
}

/* A contact of a record and a partner domain may receive its identifiers; anyone else may not. */
static void test_contacts(void) {
    static const char list[] = "id,kind,value\nV01,name,Jane Doe\nV01,contact,@cps.example\n";
    static const char policy[] = "partner_domains = [\"court.example\"]\n";
    static const char *const messages[][2] = {
        {"To: lawyer@north.cps.example\r\nSubject: x\r\n\r\nJane Doe\r\n", "allow"},
        {"To: clerk@court.example\r\nSubject: x\r\n\r\nJane Doe\r\n", "allow"},
        {"To: lawyer@cps.example.evil.example\r\nSubject: x\r\n\r\nJane Doe\r\n", "block"},
    };
    maildlp_scanner *s = NULL;
    char err[256] = "";
    CHECK(maildlp_scanner_new(list, strlen(list), policy, strlen(policy), &s, err, sizeof err) == MAILDLP_OK);
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++) {
        maildlp_report *r = NULL;
        CHECK(maildlp_scan(s, (const uint8_t *)messages[i][0], strlen(messages[i][0]), NULL, 0, &r) == MAILDLP_OK);
        int want = strcmp(messages[i][1], "allow") == 0 ? 0 : 2;
        CHECK(maildlp_report_verdict(r) == want);
        maildlp_report_free(r);
    }
    maildlp_scanner_free(s);
    /* A contact that is no address refuses the list with its line. */
    static const char bad[] = "id,kind,value\nV01,name,Jane Doe\nV01,contact,nobody\n";
    CHECK(maildlp_scanner_new(bad, strlen(bad), NULL, 0, &s, err, sizeof err) == MAILDLP_INVALID_LIST);
    CHECK(strstr(err, "line 3") != NULL);
    CHECK(s == NULL);
}

static void *worker(void *arg) {
    struct incident *in = arg;
    for (int i = 0; i < 25; i++) {
        maildlp_report *r = NULL;
        if (maildlp_scan(in->scanner, (const uint8_t *)in->cc, in->cc_len, NULL, 0, &r) != MAILDLP_OK ||
            maildlp_report_verdict(r) != 2) {
            in->errors++;
        }
        maildlp_report_free(r);
        r = NULL;
        if (maildlp_scan(in->scanner, (const uint8_t *)in->bcc, in->bcc_len, NULL, 0, &r) != MAILDLP_OK ||
            maildlp_report_verdict(r) != 0) {
            in->errors++;
        }
        maildlp_report_free(r);
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *examples = argc > 1 ? argv[1] : "examples";
    size_t list_len, policy_len, cc_len, bcc_len;
    char *list = read_file(examples, "protected.csv", &list_len);
    char *policy = read_file(examples, "policy.toml", &policy_len);
    char *cc = read_file(examples, "messages/incident-cc.eml", &cc_len);
    char *bcc = read_file(examples, "messages/incident-bcc.eml", &bcc_len);

    test_static_strings();
    test_scanner_errors();

    maildlp_scanner *scanner = NULL;
    char err[512] = "";
    CHECK(maildlp_scanner_new(list, list_len, policy, policy_len, &scanner, err, sizeof err) == MAILDLP_OK);
    if (!scanner) {
        fprintf(stderr, "cannot build the scanner: %s\n", err);
        return 1;
    }
    test_scan_errors();

    struct incident in = {scanner, cc, cc_len, bcc, bcc_len, 0};
    test_incident(&in);
    test_fix_bcc(&in);
    test_sealed(argc > 2 ? argv[2] : "tests/c", &in);
    test_open(argc > 2 ? argv[2] : "tests/c", list, list_len, &in);
    test_contacts();
    test_caught_panic(scanner, argc > 3 ? argv[3] : "tests/data");

    enum { THREADS = 8 };
    pthread_t threads[THREADS];
    struct incident per_thread[THREADS];
    for (int i = 0; i < THREADS; i++) {
        per_thread[i] = in;
        CHECK(pthread_create(&threads[i], NULL, worker, &per_thread[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(per_thread[i].errors == 0);
    }

    maildlp_scanner_free(scanner);
    free(list);
    free(policy);
    free(cc);
    free(bcc);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
