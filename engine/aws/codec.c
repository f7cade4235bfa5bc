/*
 * codec.c - the small text codecs every protocol needs: a byte buffer,
 * base64 (OpenSSL), RFC 3986 percent-encoding and its form-body variant,
 * shortest round-trip doubles, timestamps in AWS's three formats.
 */
#include "aws_int.h"

#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void lf_buf_add(lf_buf *b, const void *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->n + n + 1) cap *= 2;
    b->p = lf_xrealloc(b->p, cap);
    b->cap = cap;
  }
  if (n) memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}
void lf_buf_puts(lf_buf *b, const char *s) { lf_buf_add(b, s, strlen(s)); }
void lf_buf_putc(lf_buf *b, char c) { lf_buf_add(b, &c, 1); }

void lf_buf_printf(lf_buf *b, const char *fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < (int)sizeof small) { lf_buf_add(b, small, (size_t)n); return; }
  char *big = lf_xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  lf_buf_add(b, big, (size_t)n);
  free(big);
}

char *lf_buf_take(lf_buf *b) {
  char *p = b->p ? b->p : lf_xstrdup("");
  memset(b, 0, sizeof *b);
  return p;
}
void lf_buf_free(lf_buf *b) { free(b->p); memset(b, 0, sizeof *b); }

char *lf_base64_encode(const void *data, size_t n) {
  char *out = lf_xmalloc(4 * ((n + 2) / 3) + 1);
  EVP_EncodeBlock((unsigned char *)out, data, (int)n);
  return out;
}

unsigned char *lf_base64_decode(const char *s, size_t n, size_t *outlen) {
  while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) n--;
  if (n % 4) return NULL;
  unsigned char *out = lf_xmalloc(n / 4 * 3 + 1);
  int len = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
  if (len < 0) { free(out); return NULL; }
  if (n >= 1 && s[n - 1] == '=') len--;   /* DecodeBlock counts padding */
  if (n >= 2 && s[n - 2] == '=') len--;
  out[len] = 0;
  *outlen = (size_t)len;
  return out;
}

/* RFC 3986 unreserved bytes stay, every other byte is %XX; a form body
   (application/x-www-form-urlencoded, as botocore's urlencode and Python's
   quote_plus write it) writes a space as '+' instead of %20. */
static void percent_encode(lf_buf *b, const char *s, size_t n, int keep_slash, int space_plus) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      lf_buf_putc(b, (char)c);
    } else if (space_plus && c == ' ') {
      lf_buf_putc(b, '+');
    } else {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      lf_buf_add(b, e, 3);
    }
  }
}

void lf_buf_uriencode(lf_buf *b, const char *s, size_t n, int keep_slash) {
  percent_encode(b, s, n, keep_slash, 0);
}
void lf_buf_formencode(lf_buf *b, const char *s, size_t n) { percent_encode(b, s, n, 0, 1); }

void lf_fmt_double(double d, char *out, size_t n) {
  if (isnan(d)) { snprintf(out, n, "NaN"); return; }
  if (isinf(d)) { snprintf(out, n, d > 0 ? "Infinity" : "-Infinity"); return; }
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(out, n, "%.*g", prec, d);
    if (strtod(out, NULL) == d) return;
  }
}

void lf_fmt_timestamp(double t, const char *fmt, char *out, size_t n) {
  double whole = floor(t);
  long ms = lround((t - whole) * 1000.0);
  if (ms == 1000) { whole += 1; ms = 0; }
  time_t secs = (time_t)whole;
  struct tm tm;
  gmtime_r(&secs, &tm);
  if (fmt && strcmp(fmt, "unixTimestamp") == 0) {
    /* seconds, with milliseconds when fractional (Smithy's precision) */
    snprintf(out, n, "%.3f", t);
    char *e = out + strlen(out);
    while (e > out && e[-1] == '0') *--e = 0;
    if (e > out && e[-1] == '.') *--e = 0;
    if (!strcmp(out, "-0")) snprintf(out, n, "0");
  } else if (fmt && strcmp(fmt, "rfc822") == 0) {
    strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  } else {
    char base[64];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    if (ms) snprintf(out, n, "%s.%03ldZ", base, ms);
    else snprintf(out, n, "%sZ", base);
  }
}

static int month_of(const char *s) {
  static const char *names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; i++)
    if (strncasecmp(s, names[i], 3) == 0) return i;
  return -1;
}

int lf_parse_timestamp(const char *s, double *out) {
  while (*s == ' ' || *s == '\t' || *s == '\n') s++;
  struct tm tm = {0};
  char *end;
  double frac = 0;
  int off = 0;
  int y, mo, d, h, mi, sec, nread = 0;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &nread) == 6) {
    const char *p = s + nread;
    if (*p == '.') {
      frac = strtod(p, &end);
      p = end;
    }
    if (*p == '+' || *p == '-') {
      int oh = 0, om = 0;
      if (sscanf(p + 1, "%2d:%2d", &oh, &om) < 1) return -1;
      off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    } else if (*p != 'Z' && *p != 'z' && *p != 0) {
      return -1;
    }
    tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d;
    tm.tm_hour = h; tm.tm_min = mi; tm.tm_sec = sec;
    *out = (double)timegm(&tm) - off + frac;
    return 0;
  }
  char wd[8], mon[8];
  if (sscanf(s, "%3s, %d %3s %d %d:%d:%d%n", wd, &d, mon, &y, &h, &mi, &sec, &nread) == 7) {
    const char *p = s + nread;
    if (*p == '.') frac = strtod(p, NULL);
    if ((mo = month_of(mon)) < 0) return -1;
    tm.tm_year = y - 1900; tm.tm_mon = mo; tm.tm_mday = d;
    tm.tm_hour = h; tm.tm_min = mi; tm.tm_sec = sec;
    *out = (double)timegm(&tm) + frac;
    return 0;
  }
  double v = strtod(s, &end);
  if (end == s) return -1;
  while (*end == ' ' || *end == '\n') end++;
  if (*end) return -1;
  *out = v;
  return 0;
}

/* "%lld" without printf (the request path's numbers); the digits are
   written backwards into tmp, then copied out in order. */
int lf_fmt_int(char out[24], long long v) {
  char tmp[24];
  unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
  int n = 0, len = 0;
  do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
  if (v < 0) out[len++] = '-';
  while (n) out[len++] = tmp[--n];
  out[len] = '\0';
  return len;
}

/* snprintf for names built from model strings: truncation is acceptable
   (names are bounded far below the buffers) and not worth a warning each. */
int lf_fmt(char *out, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(out, n, fmt, ap);
  va_end(ap);
  return r;
}
