/*
 * crypt.c - encryption of state and plan files (see luaform/crypt.h).
 *
 * AES-256-GCM and PBKDF2-HMAC-SHA256 from OpenSSL (EVP, PKCS5_PBKDF2_HMAC),
 * randomness from RAND_bytes, base64 from EVP_EncodeBlock/DecodeBlock.
 * The key provider's settings come from luaform.encryption (the stack's
 * encryption{} block, checked there); core.keyring(config) makes a
 * keyring userdata with seal/open for Lua (plan files) and the state
 * store takes it (b:encrypt) for the snapshot, the journal's records and
 * the backup. Passphrases and keys are wiped when the keyring is freed.
 */
#include "luaform/alloc.h"
#include "luaform/crypt.h"
#include "luaform/luaform.h"

#include <jansson.h>
#include <lauxlib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYRING_MT "luaform.keyring"
#define FORMAT "luaform/1"
#define METHOD "aes_gcm_256"
#define PREFIX "{\"encryption\":"
#define SALT_LEN 16
#define KEY_LEN 32
#define NONCE_LEN 12
#define TAG_LEN 16
#define CACHE 4
#define CHECK_LEN 16
#define CHECK_TEXT "luaform key check"

enum { KEY_NONE, KEY_UNENCRYPTED, KEY_PBKDF2 };

typedef struct {
  int provider;
  char *passphrase;
  size_t passlen;
  int iterations;
} key_spec;

struct lf_keyring {
  key_spec keys[2];  /* [0] the method (writes), [1] the fallback (reads) */
  unsigned char wsalt[SALT_LEN], wkey[KEY_LEN];
  int wready;
  struct { int which, iterations; unsigned char salt[SALT_LEN], key[KEY_LEN]; } cache[CACHE];
  int ncache;
};

int lf_is_sealed(const char *data, size_t len) {
  size_t i = 0;
  while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r')) i++;
  return len - i >= sizeof PREFIX - 1 && memcmp(data + i, PREFIX, sizeof PREFIX - 1) == 0;
}

static int derive(const key_spec *k, const unsigned char *salt, int iterations, unsigned char *key) {
  return PKCS5_PBKDF2_HMAC(k->passphrase, (int)k->passlen, salt, SALT_LEN, iterations, EVP_sha256(),
                           KEY_LEN, key) == 1;
}

/* The key of keys[which] for salt (derived once per keyring). */
static const unsigned char *read_key(lf_keyring *kr, int which, const unsigned char *salt, int iterations) {
  for (int i = 0; i < kr->ncache; i++)
    if (kr->cache[i].which == which && kr->cache[i].iterations == iterations &&
        memcmp(kr->cache[i].salt, salt, SALT_LEN) == 0)
      return kr->cache[i].key;
  int slot = kr->ncache < CACHE ? kr->ncache++ : CACHE - 1;
  kr->cache[slot].which = which;
  kr->cache[slot].iterations = iterations;
  memcpy(kr->cache[slot].salt, salt, SALT_LEN);
  if (!derive(&kr->keys[which], salt, iterations, kr->cache[slot].key)) {
    kr->ncache--;
    return NULL;
  }
  return kr->cache[slot].key;
}

/* The key's check value: tells a wrong key from altered data. */
static void key_check(const unsigned char *key, unsigned char *out) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key, KEY_LEN, (const unsigned char *)CHECK_TEXT, sizeof CHECK_TEXT - 1, mac, &len))
    memset(mac, 0, sizeof mac);
  memcpy(out, mac, CHECK_LEN);
}

static char *b64(const unsigned char *p, size_t len) {
  char *out = lf_xmalloc(4 * ((len + 2) / 3) + 1);
  EVP_EncodeBlock((unsigned char *)out, p, (int)len);
  return out;
}

/* Decoded base64 (lf_xmalloc'd) or NULL when it is not base64. */
static unsigned char *unb64(const char *s, size_t *len) {
  size_t sl = strlen(s);
  if (sl % 4 != 0) return NULL;
  unsigned char *out = lf_xmalloc(sl / 4 * 3 + 1);
  int got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)sl);
  if (got < 0) {
    free(out);
    return NULL;
  }
  size_t pad = sl >= 2 && s[sl - 1] == '=' ? (s[sl - 2] == '=' ? 2 : 1) : 0;
  *len = (size_t)got - pad;
  return out;
}

/* The associated data: every header field before the nonce. */
static void aad_of(char *out, size_t n, const char *provider, const char *salt_b64, int iterations,
                   const char *check_b64) {
  snprintf(out, n, FORMAT "|" METHOD "|%s|sha256|%s|%d|%s", provider, salt_b64, iterations, check_b64);
}

/* AES-256-GCM: 0 ok, -1 failed (decrypt: authentication failed). */
static int gcm(int enc, const unsigned char *key, const unsigned char *nonce, const char *aad,
               const unsigned char *in, size_t len, unsigned char *out, unsigned char *tag) {
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (!ctx) return -1;
  int ok = 0, l, fin;
  if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
      EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) == 1 &&
      EVP_CipherUpdate(ctx, NULL, &l, (const unsigned char *)aad, (int)strlen(aad)) == 1) {
    ok = 1;
    for (size_t off = 0; ok && off < len;) {  /* EVP takes int lengths */
      int chunk = len - off > (1 << 30) ? (1 << 30) : (int)(len - off);
      ok = EVP_CipherUpdate(ctx, out + off, &l, in + off, chunk) == 1;
      off += (size_t)chunk;
    }
    if (ok && !enc) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
    if (ok) ok = EVP_CipherFinal_ex(ctx, out + len, &fin) == 1;
    if (ok && enc) ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
  }
  EVP_CIPHER_CTX_free(ctx);
  return ok ? 0 : -1;
}

int lf_seal(lf_keyring *kr, const char *data, size_t len, char **out, size_t *out_len, char *err,
            size_t n) {
  if (!kr || kr->keys[0].provider != KEY_PBKDF2) return 1;
  key_spec *k = &kr->keys[0];
  if (!kr->wready) {
    if (RAND_bytes(kr->wsalt, SALT_LEN) != 1 || !derive(k, kr->wsalt, k->iterations, kr->wkey)) {
      snprintf(err, n, "key_provider \"pbkdf2\": deriving the key failed");
      return -1;
    }
    kr->wready = 1;
  }
  unsigned char nonce[NONCE_LEN];
  if (RAND_bytes(nonce, NONCE_LEN) != 1) {
    snprintf(err, n, "encryption: no random nonce");
    return -1;
  }
  unsigned char *ct = lf_xmalloc(len + TAG_LEN + 16), check[CHECK_LEN];
  key_check(kr->wkey, check);
  char *salt_b64 = b64(kr->wsalt, SALT_LEN), *check_b64 = b64(check, CHECK_LEN), aad[200];
  aad_of(aad, sizeof aad, "pbkdf2", salt_b64, k->iterations, check_b64);
  int rc = gcm(1, kr->wkey, nonce, aad, (const unsigned char *)data, len, ct, ct + len);
  json_t *env = NULL;
  if (rc == 0) {
    char *nonce_b64 = b64(nonce, NONCE_LEN), *ct_b64 = b64(ct, len + TAG_LEN);
    env = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "encryption", FORMAT, "method",
                    METHOD, "key_provider", "pbkdf2", "hash", "sha256", "salt", salt_b64, "iterations",
                    k->iterations, "key_check", check_b64, "nonce", nonce_b64, "ciphertext", ct_b64);
    free(nonce_b64);
    free(ct_b64);
  }
  free(ct);
  free(salt_b64);
  free(check_b64);
  char *text = env ? json_dumps(env, JSON_COMPACT) : NULL;
  json_decref(env);
  if (!text) {
    snprintf(err, n, "encryption (AES-256-GCM) failed");
    return -1;
  }
  *out_len = strlen(text);
  *out = lf_xmalloc(*out_len + 2);
  memcpy(*out, text, *out_len);
  (*out)[(*out_len)++] = '\n';
  (*out)[*out_len] = '\0';
  free(text);
  return 0;
}

static int has(const lf_keyring *kr, int provider) {
  return kr && (kr->keys[0].provider == provider || kr->keys[1].provider == provider);
}

/* Decrypts the envelope env with every pbkdf2 key of kr until one
 * authenticates it. */
static int open_envelope(lf_keyring *kr, const char *what, json_t *env, char **out, size_t *out_len,
                         int *stale, char *err, size_t n) {
  const char *format = json_string_value(json_object_get(env, "encryption"));
  const char *method = json_string_value(json_object_get(env, "method"));
  const char *provider = json_string_value(json_object_get(env, "key_provider"));
  const char *hash = json_string_value(json_object_get(env, "hash"));
  const char *salt_b64 = json_string_value(json_object_get(env, "salt"));
  const char *nonce_b64 = json_string_value(json_object_get(env, "nonce"));
  const char *check_b64 = json_string_value(json_object_get(env, "key_check"));
  const char *ct_b64 = json_string_value(json_object_get(env, "ciphertext"));
  json_t *iter = json_object_get(env, "iterations");
  if (!format || strcmp(format, FORMAT) != 0 || !method || strcmp(method, METHOD) != 0) {
    snprintf(err, n, "%s is encrypted as %s/%s; this luaform reads " FORMAT "/" METHOD, what,
             format ? format : "?", method ? method : "?");
    return -1;
  }
  if (!provider || strcmp(provider, "pbkdf2") != 0) {
    snprintf(err, n, "%s is encrypted with key_provider \"%s\", which this luaform does not have", what,
             provider ? provider : "?");
    return -1;
  }
  if (!has(kr, KEY_PBKDF2)) {
    snprintf(err, n, "%s is encrypted with key_provider \"pbkdf2\" and the stack's encryption{} has no "
             "pbkdf2 key (as the method or the fallback)", what);
    return -1;
  }
  size_t salt_len = 0, nonce_len = 0, ct_len = 0, check_len = 0;
  unsigned char *check = check_b64 ? unb64(check_b64, &check_len) : NULL;
  unsigned char *salt = salt_b64 ? unb64(salt_b64, &salt_len) : NULL;
  unsigned char *nonce = nonce_b64 ? unb64(nonce_b64, &nonce_len) : NULL;
  unsigned char *ct = ct_b64 ? unb64(ct_b64, &ct_len) : NULL;
  int rc = -1;
  if (!hash || strcmp(hash, "sha256") != 0 || salt_len != SALT_LEN || nonce_len != NONCE_LEN ||
      check_len != CHECK_LEN ||
      ct_len < TAG_LEN || !json_is_integer(iter) || json_integer_value(iter) < 1 ||
      json_integer_value(iter) > 100000000) {
    snprintf(err, n, "%s: the encryption header is damaged; refusing to use it", what);
    goto done;
  }
  int iterations = (int)json_integer_value(iter);
  char aad[200];
  aad_of(aad, sizeof aad, "pbkdf2", salt_b64, iterations, check_b64);
  size_t len = ct_len - TAG_LEN;
  const unsigned char *key = NULL;
  for (int which = 0; which < 2 && !key; which++) {  /* the method's key, then the fallback's */
    if (kr->keys[which].provider != KEY_PBKDF2) continue;
    const unsigned char *k = read_key(kr, which, salt, iterations);
    unsigned char mine[CHECK_LEN];
    if (k) key_check(k, mine);
    if (k && CRYPTO_memcmp(mine, check, CHECK_LEN) == 0) key = k, *stale = which != 0;
  }
  if (!key) {
    snprintf(err, n, "%s: cannot decrypt it with key_provider \"pbkdf2\": the passphrase is wrong "
             "(neither the method's nor the fallback's key opens it); nothing was changed", what);
    goto done;
  }
  unsigned char *plain = lf_xmalloc(len + 17);
  if (gcm(0, key, nonce, aad, ct, len, plain, ct + len) == 0) {
    plain[len] = '\0';
    *out = (char *)plain;
    *out_len = len;
    rc = 0;
  } else {
    OPENSSL_cleanse(plain, len);
    free(plain);
    snprintf(err, n, "%s: the encrypted data was altered (AES-256-GCM authentication failed); "
             "refusing to use it; nothing was changed", what);
  }
done:
  free(check);
  free(salt);
  free(nonce);
  free(ct);
  return rc;
}

int lf_unseal(lf_keyring *kr, const char *what, const char *data, size_t len, char **out,
              size_t *out_len, int *stale, char *err, size_t n) {
  int ignored;
  if (!stale) stale = &ignored;
  *stale = 0;
  if (!lf_is_sealed(data, len)) {
    *stale = kr && kr->keys[0].provider != KEY_UNENCRYPTED;
    if (!kr || has(kr, KEY_UNENCRYPTED)) return 1;
    snprintf(err, n, "%s is not encrypted and encryption{} (key_provider \"pbkdf2\") accepts no "
             "plaintext; to encrypt it, add fallback = { key_provider = \"unencrypted\" } for one run",
             what);
    return -1;
  }
  json_error_t je;
  json_t *env = json_loadb(data, len, 0, &je);
  if (!env) {
    snprintf(err, n, "%s: the encrypted envelope is damaged (%s); refusing to use it", what, je.text);
    return -1;
  }
  int rc;
  if (!kr) {
    snprintf(err, n, "%s is encrypted (key_provider \"%s\") and the stack configures no encryption{}", what,
             json_string_value(json_object_get(env, "key_provider")) ? json_string_value(json_object_get(env, "key_provider")) : "?");
    rc = -1;
  } else {
    rc = open_envelope(kr, what, env, out, out_len, stale, err, n);
  }
  json_decref(env);
  return rc;
}

/* ---- Lua surface ---- */

static void free_keys(lf_keyring *kr) {
  for (int i = 0; i < 2; i++) {
    if (kr->keys[i].passphrase) {
      OPENSSL_cleanse(kr->keys[i].passphrase, kr->keys[i].passlen);
      free(kr->keys[i].passphrase);
      kr->keys[i].passphrase = NULL;
    }
  }
  OPENSSL_cleanse(kr->wkey, sizeof kr->wkey);
  OPENSSL_cleanse(kr->cache, sizeof kr->cache);
}

lf_keyring *lf_keyring_check(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, KEYRING_MT);
}

/* {key_provider = "pbkdf2"|"unencrypted", passphrase = s, iterations = n}
 * at idx (checked by luaform.encryption) into k. */
static void read_spec(lua_State *L, int idx, key_spec *k) {
  lua_getfield(L, idx, "key_provider");
  const char *p = luaL_checkstring(L, -1);
  if (strcmp(p, "unencrypted") == 0) {
    k->provider = KEY_UNENCRYPTED;
  } else if (strcmp(p, "pbkdf2") == 0) {
    k->provider = KEY_PBKDF2;
    lua_getfield(L, idx, "passphrase");
    const char *s = luaL_checklstring(L, -1, &k->passlen);
    k->passphrase = lf_xmalloc(k->passlen + 1);
    memcpy(k->passphrase, s, k->passlen + 1);
    lua_getfield(L, idx, "iterations");
    k->iterations = (int)luaL_checkinteger(L, -1);
    lua_pop(L, 2);
  } else {
    luaL_error(L, "unknown key_provider \"%s\"", p);
  }
  lua_pop(L, 1);
}

/* core.keyring{method = spec, fallback = spec | nil} -> keyring */
static int core_keyring(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lf_keyring *kr = lua_newuserdatauv(L, sizeof *kr, 0);
  memset(kr, 0, sizeof *kr);
  luaL_setmetatable(L, KEYRING_MT);
  lua_getfield(L, 1, "method");
  luaL_checktype(L, -1, LUA_TTABLE);
  read_spec(L, lua_gettop(L), &kr->keys[0]);
  lua_pop(L, 1);
  if (lua_getfield(L, 1, "fallback") == LUA_TTABLE) read_spec(L, lua_gettop(L), &kr->keys[1]);
  lua_pop(L, 1);
  return 1;
}

/* kr:seal(text) -> the text sealed with the method (as is: unencrypted) */
static int m_seal(lua_State *L) {
  lf_keyring *kr = lf_keyring_check(L, 1);
  size_t len, out_len;
  const char *s = luaL_checklstring(L, 2, &len);
  char *out, err[300];
  int rc = lf_seal(kr, s, len, &out, &out_len, err, sizeof err);
  if (rc < 0) return luaL_error(L, "%s", err);
  if (rc == 1) {
    lua_settop(L, 2);
    return 1;
  }
  lua_pushlstring(L, out, out_len);
  free(out);
  return 1;
}

/* kr:open(text, what) -> plaintext | nil, message */
static int m_open(lua_State *L) {
  lf_keyring *kr = lua_isnil(L, 1) ? NULL : lf_keyring_check(L, 1);
  size_t len, out_len;
  const char *s = luaL_checklstring(L, 2, &len);
  const char *what = luaL_checkstring(L, 3);
  char *out, err[600];
  int rc = lf_unseal(kr, what, s, len, &out, &out_len, NULL, err, sizeof err);
  if (rc < 0) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  if (rc == 1) {
    lua_settop(L, 2);
    return 1;
  }
  lua_pushlstring(L, out, out_len);
  OPENSSL_cleanse(out, out_len);
  free(out);
  return 1;
}

static int m_gc(lua_State *L) {
  free_keys(lf_keyring_check(L, 1));
  return 0;
}

/* core.keyring, and core.unseal(keyring | nil, text, what): kr:open
 * that also takes no keyring (plaintext passes, a sealed text is
 * refused). */
void lf_open_crypt(lua_State *L) {
  static const luaL_Reg methods[] = {{"seal", m_seal}, {"open", m_open}, {NULL, NULL}};
  if (luaL_newmetatable(L, KEYRING_MT)) {
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, m_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_pop(L, 1);
  lua_pushcfunction(L, core_keyring);
  lua_setfield(L, -2, "keyring");
  lua_pushcfunction(L, m_open);
  lua_setfield(L, -2, "unseal");
}
