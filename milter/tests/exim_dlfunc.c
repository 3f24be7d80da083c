/*
 * Calls exim-maildlp.so as Exim's ${dlfunc} does (dlopen, dlsym, int f(uschar **yield, int argc,
 * uschar *argv[])), without Exim: for valgrind, and for what Exim cannot be made to send.
 *
 *   exim_dlfunc SO LIST POLICY MESSAGE RCPTS [huge]
 *
 * The message is split at its first blank line into the header lines ($message_headers_raw)
 * and the body, written as Exim's spool data file (a line naming it, then the body). Prints
 * the result of a call with wrong arguments, of one with a list that is not there, and of the
 * scan, twice (the second reuses the scanner); with "huge", the header lines are padded past
 * the 64 KiB Exim passes at most.
 */
#define _POSIX_C_SOURCE 200809L

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int dlfunc(unsigned char **yield, int argc, unsigned char *argv[]);

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

static void call(dlfunc *f, int argc, const char **argv) {
    unsigned char *yield = NULL;
    int rc = f(&yield, argc, (unsigned char **)argv);
    printf("%d %s\n", rc, yield != NULL ? (const char *)yield : "(null)");
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: exim_dlfunc SO LIST POLICY MESSAGE RCPTS [huge]\n");
        return 2;
    }
    void *so = dlopen(argv[1], RTLD_LAZY);
    dlfunc *f = NULL;
    if (so != NULL) {
        *(void **)&f = dlsym(so, "maildlp_exim_scan"); /* POSIX's way to a function pointer */
    }
    if (f == NULL) {
        fprintf(stderr, "%s\n", dlerror());
        return 2;
    }
    size_t len = 0;
    char *msg = slurp(argv[4], &len);
    if (msg == NULL) {
        perror(argv[4]);
        return 2;
    }
    /* Header lines end at the first empty line (LF or CRLF). */
    char *blank = strstr(msg, "\n\n");
    char *crlf = strstr(msg, "\r\n\r\n");
    char *split = crlf != NULL && (blank == NULL || crlf < blank) ? crlf + 2 : blank != NULL ? blank + 1 : msg + len;
    size_t headers_len = (size_t)(split - msg);
    size_t pad = argc > 6 && strcmp(argv[6], "huge") == 0 ? 70000 : 0;
    char *headers = malloc(headers_len + pad + 1);
    if (headers == NULL) {
        return 2;
    }
    memcpy(headers, msg, headers_len);
    for (size_t i = 0; i + 80 <= pad; i += 80) {
        memcpy(headers + headers_len + i, "X-Pad: ", 7);
        memset(headers + headers_len + i + 7, 'x', 72);
        headers[headers_len + i + 79] = '\n';
    }
    headers_len += pad - pad % 80;
    headers[headers_len] = '\0';
    char data[] = "/tmp/exim_dlfunc-XXXXXX";
    int fd = mkstemp(data);
    FILE *d = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (d == NULL) {
        return 2;
    }
    const char *body = *split == '\n' ? split + 1 : split[0] == '\r' && split[1] == '\n' ? split + 2 : split;
    fprintf(d, "1abcde-000000-00-D\n");
    fwrite(body, 1, len - (size_t)(body - msg), d);
    fclose(d);

    const char *wrong[] = {argv[2], NULL};
    call(f, 1, wrong);
    const char *missing[] = {"/nonexistent/list.csv", "", argv[3], headers, data, argv[5], NULL};
    call(f, 6, missing);
    const char *scan[] = {argv[2], "", argv[3], headers, data, argv[5], NULL};
    call(f, 6, scan);
    call(f, 6, scan);
    remove(data);
    free(headers);
    free(msg);
    return 0;
}
