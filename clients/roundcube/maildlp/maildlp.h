/* The part of include/maildlp.h the Roundcube plugin calls through PHP FFI.
 * tests/roundcube_cdef.rs checks every declaration here against include/maildlp.h. */
typedef enum maildlp_status {
  MAILDLP_OK = 0,
  MAILDLP_NULL_ARGUMENT = 1,
  MAILDLP_INVALID_UTF8 = 2,
  MAILDLP_INVALID_LIST = 3,
  MAILDLP_INVALID_POLICY = 4,
  MAILDLP_INVALID_ADDRESS = 5,
  MAILDLP_INVALID_KEY = 6,
  MAILDLP_PANIC = 100,
} maildlp_status;
typedef struct maildlp_report maildlp_report;
typedef struct maildlp_scanner maildlp_scanner;
enum maildlp_status maildlp_scanner_open(const uint8_t *list, size_t list_len, const uint8_t *key, size_t key_len, const char *policy_toml, size_t policy_len, struct maildlp_scanner **out, char *err_buf, size_t err_len);
void maildlp_scanner_free(struct maildlp_scanner *scanner);
enum maildlp_status maildlp_scan(const struct maildlp_scanner *scanner, const uint8_t *message, size_t message_len, const char *const *rcpts, size_t n_rcpts, struct maildlp_report **out);
int maildlp_report_verdict(const struct maildlp_report *report);
const char *maildlp_report_json(const struct maildlp_report *report, size_t *len);
void maildlp_report_free(struct maildlp_report *report);
enum maildlp_status maildlp_fix_bcc(const struct maildlp_scanner *scanner, const uint8_t *message, size_t message_len, uint8_t **out, size_t *out_len);
void maildlp_bytes_free(uint8_t *bytes, size_t len);
const char *maildlp_status_str(maildlp_status status);
const char *maildlp_version(void);
