/*
 * maildlp-milter: maildlp in front of Postfix or Sendmail, on libmilter.
 *
 *   maildlp-milter -s SOCKET -l LIST [-k KEYFILE] [-c POLICY.toml] [-b ACTION] [-w ACTION]
 *                  [-e ONERROR] [-f]
 *
 * Each message is buffered (up to the policy's max_message_bytes), then scanned with its
 * envelope recipients (RCPT TO) through the maildlp C ABI, its only way into maildlp:
 *
 *   block: -b reject (default: 550 5.7.1, the reply names rules and record ids, never an
 *          identifier) | quarantine | bcc (fix recipient exposure as `maildlp fix --bcc` and
 *          deliver; reject if content findings remain) | tag
 *   warn:  -w tag (default: X-Maildlp-Verdict header) | accept | reject | bcc
 *   a message that cannot be scanned: -e tempfail (default) | accept
 *
 * SIGHUP reloads the list and policy (however often it comes: see on_signal); scans in flight
 * finish on the old scanner, and a new list that is refused keeps the old one (the reason is
 * logged). One log line per message: queue
 * id, verdict, action, rules, record ids; never an identifier.
 */
#define _DEFAULT_SOURCE /* daemon() */

#include <errno.h>
#include <fcntl.h>
#include <libmilter/mfapi.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "maildlp.h"
#include "read_file.h"

enum action { ACT_ACCEPT, ACT_REJECT, ACT_QUARANTINE, ACT_BCC, ACT_TAG, ACT_TEMPFAIL };

static const char *action_name(enum action a) {
    switch (a) {
    case ACT_ACCEPT: return "accept";
    case ACT_REJECT: return "reject";
    case ACT_QUARANTINE: return "quarantine";
    case ACT_BCC: return "bcc";
    case ACT_TAG: return "tag";
    case ACT_TEMPFAIL: return "tempfail";
    }
    return "?";
}

static struct {
    const char *socket;
    const char *list;
    const char *key;
    const char *policy;
    enum action on_block, on_warn, on_error;
    bool foreground;
    bool log_stderr; /* -f, and standard error is not the journal */
} opt = {NULL, NULL, NULL, NULL, ACT_REJECT, ACT_TAG, ACT_TEMPFAIL, false, false};

/* ---- logging ---- */

/* Whether standard error is the systemd journal, which syslog reaches too: systemd sets
   JOURNAL_STREAM to the device and inode of the stream it connects. Under the packaged unit
   (-f) each line is then written once, to syslog. */
static bool stderr_is_journal(void) {
    const char *stream = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    return stream != NULL && sscanf(stream, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
           (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static void logmsg(int prio, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (opt.log_stderr) {
        va_list copy;
        va_copy(copy, ap);
        fprintf(stderr, "maildlp-milter: ");
        vfprintf(stderr, fmt, copy);
        fputc('\n', stderr);
        va_end(copy);
    }
    vsyslog(prio, fmt, ap);
    va_end(ap);
}

/* ---- the scanner, shared and reloadable ---- */

/* A scanner with a count of the scans using it: a reload swaps in a new one, and the old one is
   freed when its last scan ends. */
struct shared_scanner {
    maildlp_scanner *scanner;
    int users;
};

static pthread_mutex_t scanner_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shared_scanner *current = NULL;

/* Builds a scanner from the files named on the command line; NULL (and `err`) on failure. The
   list may be plain or sealed: maildlp_scanner_open tells them apart, and a sealed list needs
   the key given with -k. */
static maildlp_scanner *build_scanner(char *err, size_t err_len) {
    size_t list_len = 0, policy_len = 0, key_len = 0;
    char *list = read_file(opt.list, false, SIZE_MAX - 1, &list_len, err, err_len);
    if (list == NULL) {
        return NULL;
    }
    char *policy = NULL;
    if (opt.policy != NULL && (policy = read_file(opt.policy, false, SIZE_MAX - 1, &policy_len, err, err_len)) == NULL) {
        free(list);
        return NULL;
    }
    char *key = NULL;
    if (opt.key != NULL && (key = read_file(opt.key, false, SIZE_MAX - 1, &key_len, err, err_len)) == NULL) {
        free(list);
        free(policy);
        return NULL;
    }
    maildlp_scanner *s = NULL;
    char why[512] = "";
    maildlp_status st = maildlp_scanner_open((const uint8_t *)list, list_len, (const uint8_t *)key, key_len, policy,
                                             policy_len, &s, why, sizeof why);
    if (st == MAILDLP_INVALID_KEY && opt.key == NULL) {
        snprintf(err, err_len, "%s: %s (give its key with -k KEYFILE)", opt.list, why);
    } else if (st == MAILDLP_INVALID_KEY) {
        snprintf(err, err_len, "%s with the key %s: %s", opt.list, opt.key, why);
    } else if (st != MAILDLP_OK) {
        snprintf(err, err_len, "%s: %s", opt.list, why[0] != '\0' ? why : maildlp_status_str(st));
    }
    free(list);
    free(policy);
    free(key);
    return s;
}

static struct shared_scanner *acquire(void) {
    pthread_mutex_lock(&scanner_lock);
    struct shared_scanner *s = current;
    if (s != NULL) {
        s->users++;
    }
    pthread_mutex_unlock(&scanner_lock);
    return s;
}

static void release(struct shared_scanner *s) {
    if (s == NULL) {
        return;
    }
    pthread_mutex_lock(&scanner_lock);
    bool last = --s->users == 0;
    pthread_mutex_unlock(&scanner_lock);
    if (last) {
        maildlp_scanner_free(s->scanner);
        free(s);
    }
}

/* Swaps in a new scanner; the old one goes when its last scan ends. */
static bool install(maildlp_scanner *scanner) {
    struct shared_scanner *s = malloc(sizeof *s);
    if (s == NULL) {
        maildlp_scanner_free(scanner);
        return false;
    }
    s->scanner = scanner;
    s->users = 1; /* the reference `current` holds */
    pthread_mutex_lock(&scanner_lock);
    struct shared_scanner *old = current;
    current = s;
    pthread_mutex_unlock(&scanner_lock);
    release(old);
    return true;
}

/* ---- signals ----
 *
 * SIGHUP reloads; SIGTERM and SIGINT stop. smfi_main starts a thread of libmilter's own that
 * waits for these three and stops the milter on any of them, SIGHUP included; a signal sent to
 * the process goes to whichever thread the kernel picks among those that take it. The kernel
 * offers it to the main thread first, though, whenever that thread does not block it. So the
 * main thread never blocks them and its handler only writes the signal's number down a pipe,
 * smfi_main runs on a thread of its own, and signal_thread reads the pipe and acts. */
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig) {
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t n = write(signal_pipe[1], &b, 1); /* non-blocking: a full pipe drops a repeat */
    (void)n;
    errno = saved;
}

static void *signal_thread(void *arg) {
    (void)arg;
    for (;;) {
        unsigned char sig = 0;
        ssize_t n = read(signal_pipe[0], &sig, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n != 1) {
            return NULL;
        }
        if (sig == SIGHUP) {
            char err[768] = "";
            maildlp_scanner *s = build_scanner(err, sizeof err);
            if (s == NULL) {
                logmsg(LOG_ERR, "reload refused, the old list and policy stay: %s", err);
            } else if (install(s)) {
                logmsg(LOG_INFO, "reloaded %s", opt.list);
            }
        } else {
            logmsg(LOG_INFO, "stopping on signal %d", (int)sig);
            smfi_stop();
            return NULL;
        }
    }
}

static void *milter_thread(void *ret) {
    *(int *)ret = smfi_main();
    return NULL;
}

/* ---- per message ---- */

struct message {
    char *data; /* headers as received, a blank line, then the body */
    size_t len, cap, limit;
    bool truncated;
    char **rcpts;
    size_t n_rcpts;
    char queue_id[64];
};

static void message_reset(struct message *m) {
    free(m->data);
    m->data = NULL;
    m->len = m->cap = 0;
    m->truncated = false;
    for (size_t i = 0; i < m->n_rcpts; i++) {
        free(m->rcpts[i]);
    }
    free(m->rcpts);
    m->rcpts = NULL;
    m->n_rcpts = 0;
    m->queue_id[0] = '\0';
}

/* Appends bytes, up to the limit; beyond it the message is marked cut (maildlp then reports
   scan-incomplete for what it did not see). */
static bool append(struct message *m, const void *bytes, size_t n) {
    if (m->len + n > m->limit) {
        n = m->limit > m->len ? m->limit - m->len : 0;
        m->truncated = true;
    }
    if (n == 0) {
        return true;
    }
    if (m->len + n > m->cap) {
        size_t cap = m->cap == 0 ? 8192 : m->cap;
        while (cap < m->len + n) {
            cap *= 2;
        }
        char *grown = realloc(m->data, cap);
        if (grown == NULL) {
            return false;
        }
        m->data = grown;
        m->cap = cap;
    }
    memcpy(m->data + m->len, bytes, n);
    m->len += n;
    return true;
}

static struct message *message_of(SMFICTX *ctx) {
    struct message *m = smfi_getpriv(ctx);
    if (m == NULL) {
        m = calloc(1, sizeof *m);
        if (m == NULL) {
            return NULL;
        }
        struct shared_scanner *s = acquire();
        size_t limit = s != NULL ? maildlp_scanner_max_message_bytes(s->scanner) : 0;
        release(s);
        /* One byte past the policy's limit: maildlp then sees the message is longer than it
           reads, scans what it holds and reports scan-incomplete. */
        m->limit = (limit > 0 ? limit : (size_t)64 << 20) + 1;
        smfi_setpriv(ctx, m);
    }
    return m;
}

static sfsistat on_envfrom(SMFICTX *ctx, char **argv) {
    (void)argv;
    struct message *m = message_of(ctx);
    if (m == NULL) {
        return opt.on_error == ACT_ACCEPT ? SMFIS_ACCEPT : SMFIS_TEMPFAIL;
    }
    message_reset(m);
    return SMFIS_CONTINUE;
}

/* `<a@b>` -> `a@b` */
static char *bare_address(const char *rcpt) {
    const char *s = rcpt;
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
        s++;
        n -= 2;
    }
    char *out = malloc(n + 1);
    if (out != NULL) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

static sfsistat on_envrcpt(SMFICTX *ctx, char **argv) {
    struct message *m = message_of(ctx);
    if (m == NULL || argv == NULL || argv[0] == NULL) {
        return SMFIS_CONTINUE;
    }
    char **grown = realloc(m->rcpts, (m->n_rcpts + 1) * sizeof *grown);
    char *addr = bare_address(argv[0]);
    if (grown == NULL || addr == NULL) {
        free(addr);
        if (grown != NULL) {
            m->rcpts = grown;
        }
        return SMFIS_TEMPFAIL;
    }
    m->rcpts = grown;
    m->rcpts[m->n_rcpts++] = addr;
    return SMFIS_CONTINUE;
}

static sfsistat on_header(SMFICTX *ctx, char *name, char *value) {
    struct message *m = message_of(ctx);
    if (m == NULL) {
        return SMFIS_TEMPFAIL;
    }
    bool ok = append(m, name, strlen(name)) && append(m, ":", 1);
    /* Postfix passes the value without the space after the colon (unless configured), with
       folded lines joined by LF: written back as CRLF. */
    if (ok && value[0] != ' ' && value[0] != '\t') {
        ok = append(m, " ", 1);
    }
    for (const char *p = value; ok && *p != '\0'; p++) {
        ok = *p == '\n' ? append(m, "\r\n", 2) : append(m, p, 1);
    }
    return ok && append(m, "\r\n", 2) ? SMFIS_CONTINUE : SMFIS_TEMPFAIL;
}

static sfsistat on_eoh(SMFICTX *ctx) {
    struct message *m = message_of(ctx);
    return m != NULL && append(m, "\r\n", 2) ? SMFIS_CONTINUE : SMFIS_TEMPFAIL;
}

static sfsistat on_body(SMFICTX *ctx, unsigned char *chunk, size_t len) {
    struct message *m = message_of(ctx);
    return m != NULL && append(m, chunk, len) ? SMFIS_CONTINUE : SMFIS_TEMPFAIL;
}

static const char *verdict_name(int v) {
    return v == 2 ? "block" : v == 1 ? "warn" : v == 0 ? "allow" : "error";
}

/* The header fields of a message (bytes before the first blank line), one at a time:
   `*name` (not NUL-terminated, `*name_len`) and the value after the colon, unfolded. */
struct header_iter {
    const char *p, *end;
};

static bool next_header(struct header_iter *it, const char **name, size_t *name_len, char **value) {
    while (it->p < it->end) {
        const char *line = it->p;
        const char *eol = memchr(line, '\n', (size_t)(it->end - line));
        if (eol == NULL) {
            eol = it->end;
        }
        size_t content = (size_t)(eol - line);
        if (content > 0 && line[content - 1] == '\r') {
            content--;
        }
        if (content == 0) {
            it->p = it->end; /* the blank line: the header ends */
            return false;
        }
        /* The field runs on over continuation lines. */
        const char *field_end = eol < it->end ? eol + 1 : eol;
        while (field_end < it->end && (*field_end == ' ' || *field_end == '\t')) {
            const char *next = memchr(field_end, '\n', (size_t)(it->end - field_end));
            field_end = next != NULL ? next + 1 : it->end;
        }
        it->p = field_end;
        const char *colon = memchr(line, ':', content);
        if (colon == NULL) {
            continue;
        }
        *name = line;
        *name_len = (size_t)(colon - line);
        const char *v = colon + 1;
        while (v < field_end && (*v == ' ' || *v == '\t')) {
            v++;
        }
        size_t vlen = (size_t)(field_end - v);
        char *out = malloc(vlen + 1);
        if (out == NULL) {
            return false;
        }
        size_t k = 0;
        for (size_t i = 0; i < vlen; i++) {
            if (v[i] == '\r') {
                continue;
            }
            out[k++] = v[i]; /* keep LF folding: libmilter writes it back folded */
        }
        while (k > 0 && (out[k - 1] == '\n' || out[k - 1] == ' ')) {
            k--;
        }
        out[k] = '\0';
        *value = out;
        return true;
    }
    return false;
}

static bool is_rewritten_field(const char *name, size_t len) {
    static const char *const fields[] = {"To", "Cc", "Resent-To", "Resent-Cc", "Reply-To", "Mail-Followup-To"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (strlen(fields[i]) == len && strncasecmp(fields[i], name, len) == 0) {
            return true;
        }
    }
    return false;
}

/* Replaces the recipient fields of the message in the MTA with those of `fixed` (the bytes
   maildlp_fix_bcc wrote). No Bcc field is added: the envelope keeps every recipient, and a Bcc
   field would show them all. */
static bool apply_bcc(SMFICTX *ctx, const struct message *m, const uint8_t *fixed, size_t fixed_len) {
    static const char *const fields[] = {"To", "Cc", "Resent-To", "Resent-Cc", "Reply-To", "Mail-Followup-To"};
    /* Delete every occurrence of the fields in the original, from the last index down. */
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        int count = 0;
        struct header_iter it = {m->data, m->data + m->len};
        const char *name;
        size_t name_len;
        char *value;
        while (next_header(&it, &name, &name_len, &value)) {
            if (strlen(fields[f]) == name_len && strncasecmp(fields[f], name, name_len) == 0) {
                count++;
            }
            free(value);
        }
        for (int i = count; i >= 1; i--) {
            if (smfi_chgheader(ctx, (char *)fields[f], i, NULL) != MI_SUCCESS) {
                return false;
            }
        }
    }
    /* Add the fixed ones. */
    struct header_iter it = {(const char *)fixed, (const char *)fixed + fixed_len};
    const char *name;
    size_t name_len;
    char *value;
    bool ok = true;
    while (ok && next_header(&it, &name, &name_len, &value)) {
        if (is_rewritten_field(name, name_len)) {
            char field[64];
            if (name_len < sizeof field) {
                memcpy(field, name, name_len);
                field[name_len] = '\0';
                ok = smfi_addheader(ctx, field, value) == MI_SUCCESS;
            }
        }
        free(value);
    }
    return ok;
}

static sfsistat finish(SMFICTX *ctx, struct message *m, const char *verdict, enum action act, const char *rules,
                       const char *records) {
    logmsg(LOG_INFO, "queue=%s verdict=%s action=%s rules=%s records=%s", m->queue_id[0] ? m->queue_id : "-",
           verdict, action_name(act), rules[0] ? rules : "-", records[0] ? records : "-");
    switch (act) {
    case ACT_ACCEPT:
        return SMFIS_ACCEPT;
    case ACT_TEMPFAIL:
        smfi_setreply(ctx, "451", "4.3.0", "maildlp: the message could not be scanned, try again later");
        return SMFIS_TEMPFAIL;
    case ACT_REJECT: {
        char reply[512];
        snprintf(reply, sizeof reply, "maildlp: blocked (rules: %s; records: %s)", rules[0] ? rules : "-",
                 records[0] ? records : "-");
        smfi_setreply(ctx, "550", "5.7.1", reply);
        return SMFIS_REJECT;
    }
    case ACT_QUARANTINE: {
        char reason[512];
        snprintf(reason, sizeof reason, "maildlp %s: %s", verdict, rules);
        smfi_quarantine(ctx, reason);
        return SMFIS_ACCEPT;
    }
    case ACT_TAG: {
        char tag[512];
        snprintf(tag, sizeof tag, "%s; rules=%s; records=%s", verdict, rules[0] ? rules : "-", records[0] ? records : "-");
        smfi_addheader(ctx, "X-Maildlp-Verdict", tag);
        return SMFIS_ACCEPT;
    }
    case ACT_BCC:
        return SMFIS_ACCEPT; /* handled by the caller */
    }
    return SMFIS_TEMPFAIL;
}

static sfsistat on_eom(SMFICTX *ctx) {
    struct message *m = message_of(ctx);
    if (m == NULL) {
        return opt.on_error == ACT_ACCEPT ? SMFIS_ACCEPT : SMFIS_TEMPFAIL;
    }
    const char *qid = smfi_getsymval(ctx, "i");
    snprintf(m->queue_id, sizeof m->queue_id, "%s", qid != NULL ? qid : "");
    struct shared_scanner *s = acquire();
    maildlp_report *r = NULL;
    maildlp_status st = s == NULL ? MAILDLP_NULL_ARGUMENT
                                  : maildlp_scan(s->scanner, (const uint8_t *)m->data, m->len,
                                                 (const char *const *)m->rcpts, m->n_rcpts, &r);
    if (st != MAILDLP_OK) {
        release(s);
        logmsg(LOG_ERR, "queue=%s cannot scan: %s", m->queue_id[0] ? m->queue_id : "-", maildlp_status_str(st));
        sfsistat ret = finish(ctx, m, "error", opt.on_error, "", "");
        message_reset(m);
        return ret;
    }
    int v = maildlp_report_verdict(r);
    const char *rules = maildlp_report_rules(r);
    const char *records = maildlp_report_records(r);
    enum action act = v == 2 ? opt.on_block : v == 1 ? opt.on_warn : ACT_ACCEPT;
    sfsistat ret;
    if (act == ACT_BCC) {
        uint8_t *fixed = NULL;
        size_t fixed_len = 0;
        maildlp_report *again = NULL;
        bool clean = maildlp_fix_bcc(s->scanner, (const uint8_t *)m->data, m->len, &fixed, &fixed_len) == MAILDLP_OK &&
                     maildlp_scan(s->scanner, fixed, fixed_len, (const char *const *)m->rcpts, m->n_rcpts, &again) ==
                         MAILDLP_OK &&
                     maildlp_report_verdict(again) == 0;
        if (clean && apply_bcc(ctx, m, fixed, fixed_len)) {
            ret = finish(ctx, m, verdict_name(v), ACT_BCC, rules, records);
        } else {
            /* Findings remain that moving recipients cannot fix. */
            ret = finish(ctx, m, verdict_name(v), ACT_REJECT, rules, records);
        }
        maildlp_report_free(again);
        maildlp_bytes_free(fixed, fixed_len);
    } else {
        ret = finish(ctx, m, verdict_name(v), act, rules, records);
    }
    maildlp_report_free(r);
    release(s);
    message_reset(m);
    return ret;
}

static sfsistat on_abort(SMFICTX *ctx) {
    struct message *m = smfi_getpriv(ctx);
    if (m != NULL) {
        message_reset(m);
    }
    return SMFIS_CONTINUE;
}

static sfsistat on_close(SMFICTX *ctx) {
    struct message *m = smfi_getpriv(ctx);
    if (m != NULL) {
        message_reset(m);
        free(m);
        smfi_setpriv(ctx, NULL);
    }
    return SMFIS_CONTINUE;
}

static struct smfiDesc milter = {
    .xxfi_name = "maildlp",
    .xxfi_version = SMFI_VERSION,
    .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
    .xxfi_envfrom = on_envfrom,
    .xxfi_envrcpt = on_envrcpt,
    .xxfi_header = on_header,
    .xxfi_eoh = on_eoh,
    .xxfi_body = on_body,
    .xxfi_eom = on_eom,
    .xxfi_abort = on_abort,
    .xxfi_close = on_close,
};

static bool parse_action(const char *s, enum action *out, bool for_error) {
    static const struct {
        const char *name;
        enum action act;
    } names[] = {{"accept", ACT_ACCEPT}, {"reject", ACT_REJECT}, {"quarantine", ACT_QUARANTINE},
                 {"bcc", ACT_BCC},       {"tag", ACT_TAG},       {"tempfail", ACT_TEMPFAIL}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i].name) == 0) {
            bool allowed = for_error ? (names[i].act == ACT_ACCEPT || names[i].act == ACT_TEMPFAIL)
                                     : names[i].act != ACT_TEMPFAIL;
            if (allowed) {
                *out = names[i].act;
                return true;
            }
        }
    }
    return false;
}

static int usage(void) {
    fprintf(stderr, "usage: maildlp-milter -s SOCKET -l LIST [-k KEYFILE] [-c POLICY.toml] [-b reject|quarantine|bcc|tag]\n"
                    "                      [-w tag|accept|reject|bcc] [-e tempfail|accept] [-f]\n");
    return 2;
}

int main(int argc, char **argv) {
    /* Tesseract (OCR, with `ocr = true`) as Debian builds it runs a team of OpenMP threads on
     * each image, which spin while they wait: several times the CPU for the same page, when
     * the milter reads sessions in parallel already (docs/performance.md#ocr). One thread an
     * image, as the maildlp command sets it, unless the operator set the variable: set before
     * any thread starts and before Tesseract, and with it libgomp (which reads it once), is
     * loaded. */
    setenv("OMP_THREAD_LIMIT", "1", 0);
    int c;
    while ((c = getopt(argc, argv, "s:l:k:c:b:w:e:fh")) != -1) {
        switch (c) {
        case 's': opt.socket = optarg; break;
        case 'l': opt.list = optarg; break;
        case 'k': opt.key = optarg; break;
        case 'c': opt.policy = optarg; break;
        case 'b':
            if (!parse_action(optarg, &opt.on_block, false) || opt.on_block == ACT_ACCEPT) {
                return usage();
            }
            break;
        case 'w':
            if (!parse_action(optarg, &opt.on_warn, false) || opt.on_warn == ACT_QUARANTINE) {
                return usage();
            }
            break;
        case 'e':
            if (!parse_action(optarg, &opt.on_error, true)) {
                return usage();
            }
            break;
        case 'f': opt.foreground = true; break;
        default: return usage();
        }
    }
    if (opt.socket == NULL || opt.list == NULL || optind != argc) {
        return usage();
    }
    opt.log_stderr = opt.foreground && !stderr_is_journal();
    openlog("maildlp-milter", LOG_PID, LOG_MAIL);
    char err[768] = "";
    maildlp_scanner *s = build_scanner(err, sizeof err);
    if (s == NULL || !install(s)) {
        fprintf(stderr, "maildlp-milter: %s\n", err);
        return 2;
    }
    if (smfi_setconn((char *)opt.socket) != MI_SUCCESS || smfi_register(milter) != MI_SUCCESS ||
        smfi_opensocket(true) != MI_SUCCESS) {
        fprintf(stderr, "maildlp-milter: cannot listen on %s\n", opt.socket);
        return 2;
    }
    /* Into the background before any thread starts (a fork keeps only the calling thread). */
    if (!opt.foreground && daemon(0, 0) != 0) {
        fprintf(stderr, "maildlp-milter: cannot go to the background: %s\n", strerror(errno));
        return 2;
    }
    /* Signals: see on_signal. Every thread started from here blocks the three (libmilter's
     * too: they inherit the mask); the main thread takes them again once they are started. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* Not deferred while the handler runs: a second signal then would go to libmilter. */
    sa.sa_flags = SA_RESTART | SA_NODEFER;
    if (pipe(signal_pipe) != 0 || fcntl(signal_pipe[1], F_SETFL, O_NONBLOCK) != 0 ||
        sigaction(SIGHUP, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0 ||
        sigaction(SIGINT, &sa, NULL) != 0) {
        logmsg(LOG_ERR, "cannot set up signals: %s", strerror(errno));
        return 2;
    }
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_t sig, main_loop;
    int ret = MI_FAILURE;
    if (pthread_create(&sig, NULL, signal_thread, NULL) != 0) {
        logmsg(LOG_ERR, "cannot start the signal thread");
        return 2;
    }
    pthread_detach(sig);
    if (pthread_create(&main_loop, NULL, milter_thread, &ret) != 0) {
        logmsg(LOG_ERR, "cannot start the milter thread");
        return 2;
    }
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    logmsg(LOG_INFO, "listening on %s with %s", opt.socket, opt.list);
    pthread_join(main_loop, NULL);
    pthread_mutex_lock(&scanner_lock);
    struct shared_scanner *last = current;
    current = NULL;
    pthread_mutex_unlock(&scanner_lock);
    release(last);
    closelog();
    return ret == MI_SUCCESS ? 0 : 1;
}
