/*
 * read_file: a whole file (or its first bytes) into memory, for maildlp-milter and
 * exim-maildlp.so. Included by both; needs <errno.h>, <stdbool.h>, <stdint.h>, <stdio.h>,
 * <stdlib.h> and <string.h>.
 */
#ifndef MAILDLP_READ_FILE_H
#define MAILDLP_READ_FILE_H

/* Reads at most `limit` bytes of `path`, after skipping its first `skip_line` line; NULL (and
   `err`) on failure. */
static char *read_file(const char *path, bool skip_line, size_t limit, size_t *len, char *err, size_t err_len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_len, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    if (skip_line) {
        int c;
        while ((c = getc(f)) != EOF && c != '\n') {
        }
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf != NULL && n < limit) {
        size_t want = cap - n < limit - n ? cap - n : limit - n;
        size_t got = fread(buf + n, 1, want, f);
        n += got;
        if (got < want) {
            break;
        }
        if (n == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (buf == NULL || failed) {
        free(buf);
        snprintf(err, err_len, "cannot read %s", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

#endif
