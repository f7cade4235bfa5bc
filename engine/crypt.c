/*
 * crypt.c - encryption of state and plan files (see luaform/crypt.h).
 *
 * AES-256-GCM and PBKDF2-HMAC-SHA256 from OpenSSL (EVP, PKCS5_PBKDF2_HMAC),
 * randomness from RAND_bytes, base64 from EVP_EncodeBlock/DecodeBlock.
 * The key providers (PROVIDERS: pbkdf2, aws_kms) differ only in how the
 * write key is made and a header's key is found; sealing and opening
 * around them is one mechanism. aws_kms calls KMS through a Lua function
 * of its key spec (luaform.encryption, over the AWS transport), on the
 * thread of the current call (lf_keyring_bind). The key provider's
 * settings come from luaform.encryption (the stack's encryption{} block,
 * checked there); core.keyring(config) makes a keyring userdata with
 * seal/open/prepare for Lua (plan files) and the state store takes it
 * (b:encrypt) for the snapshot, the journal's records and the backup.
 * Passphrases and keys (derived or decrypted data keys) are wiped when
 * the keyring is freed.
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
#define MAX_ITERATIONS 100000000

enum { KEY_NONE, KEY_UNENCRYPTED, KEY_PBKDF2, KEY_AWS_KMS };

typedef struct {
  int provider;
  char *passphrase;  /* pbkdf2 */
  size_t passlen;
  int iterations;
  char *kms_key_id;  /* aws_kms: the stack's key, and the registry ref of */
  int kms_ref;       /* luaform.encryption's function that calls KMS */
} key_spec;

struct lf_keyring {
  key_spec keys[2];  /* [0] the method (writes), [1] the fallback (reads) */
  lua_State *L;      /* the thread of the current call (aws_kms calls Lua) */
  unsigned char wkey[KEY_LEN];
  json_t *whdr;      /* the write key's header fields (NULL: no write key yet) */
  struct { int which; char *id; unsigned char key[KEY_LEN]; } cache[CACHE];
  int ncache;
};

int lf_is_sealed(const char *data, size_t len) {
  size_t i = 0;
  while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r')) i++;
  return len - i >= sizeof PREFIX - 1 && memcmp(data + i, PREFIX, sizeof PREFIX - 1) == 0;
}

void lf_keyring_bind(lf_keyring *kr, lua_State *L) {
  if (kr) kr->L = L;
}

static char *b64(const unsigned char *p, size_t len) {
  char *out = lf_xmalloc(4 * ((len + 2) / 3) + 1);
  EVP_EncodeBlock((unsigned char *)out, p, (int)len);
  return out;
}

/* A JSON string of p's base64. */
static json_t *b64_json(const unsigned char *p, size_t len) {
  char *s = b64(p, len);
  json_t *v = json_string_nocheck(s);
  free(s);
  return v;
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

/* The base64 header field name of env decoded, when it is exactly want
 * bytes (NULL otherwise). */
static unsigned char *field_bytes(json_t *env, const char *name, size_t want) {
  const char *s = json_string_value(json_object_get(env, name));
  size_t len = 0;
  unsigned char *out = s ? unb64(s, &len) : NULL;
  if (out && len != want) {
    free(out);
    out = NULL;
  }
  return out;
}

/* ---- key cache: the keys a keyring has derived or fetched, by id ---- */

static const unsigned char *cached(lf_keyring *kr, int which, const char *id) {
  for (int i = 0; i < kr->ncache; i++)
    if (kr->cache[i].which == which && strcmp(kr->cache[i].id, id) == 0) return kr->cache[i].key;
  return NULL;
}

static void cache_put(lf_keyring *kr, int which, const char *id, const unsigned char *key) {
  int slot = kr->ncache < CACHE ? kr->ncache++ : CACHE - 1;
  if (slot == CACHE - 1 && kr->cache[slot].id) free(kr->cache[slot].id);
  kr->cache[slot].which = which;
  kr->cache[slot].id = lf_xstrdup(id);
  memcpy(kr->cache[slot].key, key, KEY_LEN);
}

/* ---- key providers ----
 * A provider makes the write key (its header fields beside it) and finds
 * the key of a header; the sealing around them is the same for all. */

typedef struct {
  const char *name;
  int kind;
  const char *const *fields;  /* its header fields after key_provider, in order */
  int remote;                 /* its write key comes from a service: made when a writer locks */
  /* A new write key into key, its header fields set in hdr. */
  int (*new_key)(lf_keyring *kr, const key_spec *k, json_t *hdr, unsigned char *key, char *err, size_t n);
  /* The id of env's key in the cache, NULL when the header is damaged. */
  char *(*key_id)(json_t *env);
  /* The key of env's header with k: 0, 1 not k's key, -1 err. */
  int (*read_key)(lf_keyring *kr, const key_spec *k, json_t *env, unsigned char *key, const char *what,
                  char *err, size_t n);
} provider;

/* pbkdf2: PBKDF2-HMAC-SHA256(passphrase, salt, iterations); key_check (an
 * HMAC of a fixed text under the key) tells a wrong passphrase. */

static int derive(const key_spec *k, const unsigned char *salt, int iterations, unsigned char *key) {
  return PKCS5_PBKDF2_HMAC(k->passphrase, (int)k->passlen, salt, SALT_LEN, iterations, EVP_sha256(),
                           KEY_LEN, key) == 1;
}

static void key_check(const unsigned char *key, unsigned char *out) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key, KEY_LEN, (const unsigned char *)CHECK_TEXT, sizeof CHECK_TEXT - 1, mac, &len))
    memset(mac, 0, sizeof mac);
  memcpy(out, mac, CHECK_LEN);
}

static int pbkdf2_new_key(lf_keyring *kr, const key_spec *k, json_t *hdr, unsigned char *key, char *err,
                          size_t n) {
  (void)kr;
  unsigned char salt[SALT_LEN], check[CHECK_LEN];
  if (RAND_bytes(salt, SALT_LEN) != 1 || !derive(k, salt, k->iterations, key)) {
    snprintf(err, n, "key_provider \"pbkdf2\": deriving the key failed");
    return -1;
  }
  key_check(key, check);
  json_object_set_new(hdr, "hash", json_string("sha256"));
  json_object_set_new(hdr, "salt", b64_json(salt, SALT_LEN));
  json_object_set_new(hdr, "iterations", json_integer(k->iterations));
  json_object_set_new(hdr, "key_check", b64_json(check, CHECK_LEN));
  return 0;
}

static char *pbkdf2_key_id(json_t *env) {
  const char *hash = json_string_value(json_object_get(env, "hash"));
  const char *salt = json_string_value(json_object_get(env, "salt"));
  json_t *iter = json_object_get(env, "iterations");
  unsigned char *s = field_bytes(env, "salt", SALT_LEN), *c = field_bytes(env, "key_check", CHECK_LEN);
  int ok = s && c && hash && strcmp(hash, "sha256") == 0 && json_is_integer(iter) &&
           json_integer_value(iter) >= 1 && json_integer_value(iter) <= MAX_ITERATIONS;
  free(s);
  free(c);
  if (!ok) return NULL;
  char *id = lf_xmalloc(strlen(salt) + 24);
  sprintf(id, "%s|%d", salt, (int)json_integer_value(iter));
  return id;
}

static int pbkdf2_read_key(lf_keyring *kr, const key_spec *k, json_t *env, unsigned char *key,
                           const char *what, char *err, size_t n) {
  (void)kr, (void)what, (void)err, (void)n;
  unsigned char *salt = field_bytes(env, "salt", SALT_LEN), *check = field_bytes(env, "key_check", CHECK_LEN);
  unsigned char mine[CHECK_LEN];
  int rc = 1;
  if (salt && check && derive(k, salt, (int)json_integer_value(json_object_get(env, "iterations")), key)) {
    key_check(key, mine);
    rc = CRYPTO_memcmp(mine, check, CHECK_LEN) == 0 ? 0 : 1;
  }
  free(salt);
  free(check);
  return rc;
}

/* aws_kms: a data key from KMS GenerateDataKey (AES_256) under
 * kms_key_id; the header holds the key's ARN and the encrypted data key,
 * which KMS Decrypt opens. The calls are luaform.encryption's function
 * (the AWS transport), run on the keyring's current thread:
 *   fn("GenerateDataKey") -> plaintext, blob, key arn | nil, message, code
 *   fn("Decrypt", blob)   -> plaintext | nil, message, code */

static int kms_call(lf_keyring *kr, const key_spec *k, const char *op, const unsigned char *blob,
                    size_t blob_len, unsigned char *key, char *code, size_t code_n, char *err, size_t n) {
  lua_State *L = kr->L;
  *code = '\0';
  if (!L || !lua_checkstack(L, 6)) {
    snprintf(err, n, "KMS %s: no Lua thread to call it from", op);
    return -1;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, k->kms_ref);
  lua_pushstring(L, op);
  if (blob) lua_pushlstring(L, (const char *)blob, blob_len);
  else lua_pushnil(L);
  if (lua_pcall(L, 2, 3, 0) != LUA_OK) {
    snprintf(err, n, "KMS %s failed: %s", op, lua_isstring(L, -1) ? lua_tostring(L, -1) : "?");
    lua_pop(L, 1);
    return -1;
  }
  size_t len = 0;
  const char *plain = lua_tolstring(L, -3, &len);
  if (!plain) {
    snprintf(err, n, "%s", lua_isstring(L, -2) ? lua_tostring(L, -2) : "KMS call failed");
    snprintf(code, code_n, "%s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
    lua_pop(L, 3);
    return -1;
  }
  if (len != KEY_LEN) {
    snprintf(err, n, "KMS %s returned a data key of %zu bytes, not %d", op, len, KEY_LEN);
    lua_pop(L, 3);
    return -1;
  }
  memcpy(key, plain, KEY_LEN);
  return 0;  /* the results stay on the stack for the caller */
}

static int kms_new_key(lf_keyring *kr, const key_spec *k, json_t *hdr, unsigned char *key, char *err,
                       size_t n) {
  char code[64], why[700];
  if (kms_call(kr, k, "GenerateDataKey", NULL, 0, key, code, sizeof code, why, sizeof why) != 0) {
    snprintf(err, n, "key_provider \"aws_kms\" (kms_key_id \"%s\"): %s", k->kms_key_id, why);
    return -1;
  }
  lua_State *L = kr->L;
  size_t blob_len = 0;
  const char *blob = lua_tolstring(L, -2, &blob_len);
  const char *arn = lua_tostring(L, -1);
  if (!blob || !blob_len || !arn) {
    lua_pop(L, 3);
    OPENSSL_cleanse(key, KEY_LEN);
    snprintf(err, n, "key_provider \"aws_kms\" (kms_key_id \"%s\"): KMS GenerateDataKey returned no "
             "encrypted data key", k->kms_key_id);
    return -1;
  }
  json_object_set_new(hdr, "kms_key_id", json_string(arn));
  json_object_set_new(hdr, "encrypted_key", b64_json((const unsigned char *)blob, blob_len));
  lua_pop(L, 3);
  return 0;
}

static char *kms_key_id(json_t *env) {
  const char *arn = json_string_value(json_object_get(env, "kms_key_id"));
  const char *blob = json_string_value(json_object_get(env, "encrypted_key"));
  size_t len = 0;
  unsigned char *bytes = blob ? unb64(blob, &len) : NULL;
  free(bytes);
  return arn && bytes && len ? lf_xstrdup(blob) : NULL;
}

static int kms_read_key(lf_keyring *kr, const key_spec *k, json_t *env, unsigned char *key, const char *what,
                        char *err, size_t n) {
  size_t len = 0;
  unsigned char *blob = unb64(json_string_value(json_object_get(env, "encrypted_key")), &len);
  char code[64], why[700];
  int rc = blob ? kms_call(kr, k, "Decrypt", blob, len, key, code, sizeof code, why, sizeof why) : -1;
  free(blob);
  if (rc == 0) {
    lua_pop(kr->L, 3);
    return 0;
  }
  if (strcmp(code, "IncorrectKeyException") == 0) return 1;  /* another KMS key's data key */
  snprintf(err, n, "%s: cannot decrypt it with key_provider \"aws_kms\" (kms_key_id \"%s\"): %s; "
           "nothing was changed", what, k->kms_key_id, why);
  return -1;
}

static const char *const PBKDF2_FIELDS[] = {"hash", "salt", "iterations", "key_check", NULL};
static const char *const KMS_FIELDS[] = {"kms_key_id", "encrypted_key", NULL};

static const provider PROVIDERS[] = {
  {"pbkdf2", KEY_PBKDF2, PBKDF2_FIELDS, 0, pbkdf2_new_key, pbkdf2_key_id, pbkdf2_read_key},
  {"aws_kms", KEY_AWS_KMS, KMS_FIELDS, 1, kms_new_key, kms_key_id, kms_read_key},
};
#define NPROVIDERS (sizeof PROVIDERS / sizeof PROVIDERS[0])

static const provider *provider_of(int kind) {
  for (size_t i = 0; i < NPROVIDERS; i++)
    if (PROVIDERS[i].kind == kind) return &PROVIDERS[i];
  return NULL;
}

static const provider *provider_named(const char *name) {
  for (size_t i = 0; name && i < NPROVIDERS; i++)
    if (strcmp(PROVIDERS[i].name, name) == 0) return &PROVIDERS[i];
  return NULL;
}

static const char *kind_name(int kind) {
  const provider *p = provider_of(kind);
  return p ? p->name : "unencrypted";
}

/* ---- sealing ---- */

/* The associated data: the header fields before the nonce, as
 * FORMAT|METHOD|provider|field|field...; NULL when one is missing. */
static char *aad_of(const provider *p, json_t *env) {
  size_t cap = 64 + strlen(p->name), used;
  for (int i = 0; p->fields[i]; i++) {
    json_t *v = json_object_get(env, p->fields[i]);
    if (!json_is_string(v) && !json_is_integer(v)) return NULL;
    cap += (json_is_string(v) ? json_string_length(v) : 24) + 1;
  }
  char *out = lf_xmalloc(cap);
  used = (size_t)snprintf(out, cap, FORMAT "|" METHOD "|%s", p->name);
  for (int i = 0; p->fields[i]; i++) {
    json_t *v = json_object_get(env, p->fields[i]);
    if (json_is_string(v)) used += (size_t)snprintf(out + used, cap - used, "|%s", json_string_value(v));
    else used += (size_t)snprintf(out + used, cap - used, "|%" JSON_INTEGER_FORMAT, json_integer_value(v));
  }
  return out;
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

/* The method's write key, made once per keyring (cached for reads too). */
static int write_key(lf_keyring *kr, char *err, size_t n) {
  if (kr->whdr) return 0;
  const provider *p = provider_of(kr->keys[0].provider);
  json_t *hdr = json_object();
  if (p->new_key(kr, &kr->keys[0], hdr, kr->wkey, err, n) != 0) {
    json_decref(hdr);
    return -1;
  }
  char *id = p->key_id(hdr);
  if (id) cache_put(kr, 0, id, kr->wkey);
  free(id);
  kr->whdr = hdr;
  return 0;
}

int lf_keyring_prepare(lf_keyring *kr, char *err, size_t n) {
  const provider *p = kr ? provider_of(kr->keys[0].provider) : NULL;
  return p && p->remote ? write_key(kr, err, n) : 0;
}

int lf_seal(lf_keyring *kr, const char *data, size_t len, char **out, size_t *out_len, char *err,
            size_t n) {
  const provider *p = kr ? provider_of(kr->keys[0].provider) : NULL;
  if (!p) return 1;
  if (write_key(kr, err, n) != 0) return -1;
  unsigned char nonce[NONCE_LEN];
  if (RAND_bytes(nonce, NONCE_LEN) != 1) {
    snprintf(err, n, "encryption: no random nonce");
    return -1;
  }
  json_t *env = json_pack("{s:s, s:s, s:s}", "encryption", FORMAT, "method", METHOD, "key_provider", p->name);
  for (int i = 0; p->fields[i]; i++) json_object_set(env, p->fields[i], json_object_get(kr->whdr, p->fields[i]));
  char *aad = aad_of(p, env);
  unsigned char *ct = lf_xmalloc(len + TAG_LEN + 16);
  int rc = aad ? gcm(1, kr->wkey, nonce, aad, (const unsigned char *)data, len, ct, ct + len) : -1;
  free(aad);
  if (rc == 0) {
    json_object_set_new(env, "nonce", b64_json(nonce, NONCE_LEN));
    json_object_set_new(env, "ciphertext", b64_json(ct, len + TAG_LEN));
  }
  free(ct);
  char *text = rc == 0 ? json_dumps(env, JSON_COMPACT) : NULL;
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

/* Decrypts the envelope env with the keyring's keys of its provider (the
 * method's, then the fallback's) until one opens it. */
static int open_envelope(lf_keyring *kr, const char *what, json_t *env, char **out, size_t *out_len,
                         int *stale, char *err, size_t n) {
  const char *format = json_string_value(json_object_get(env, "encryption"));
  const char *method = json_string_value(json_object_get(env, "method"));
  const char *name = json_string_value(json_object_get(env, "key_provider"));
  if (!format || strcmp(format, FORMAT) != 0 || !method || strcmp(method, METHOD) != 0) {
    snprintf(err, n, "%s is encrypted as %s/%s; this luaform reads " FORMAT "/" METHOD, what,
             format ? format : "?", method ? method : "?");
    return -1;
  }
  const provider *p = provider_named(name);
  if (!p) {
    snprintf(err, n, "%s is encrypted with key_provider \"%s\", which this luaform does not have", what,
             name ? name : "?");
    return -1;
  }
  if (!has(kr, p->kind)) {
    snprintf(err, n, "%s is encrypted with key_provider \"%s\" and the stack's encryption{} has no "
             "%s key (as the method or the fallback)", what, p->name, p->name);
    return -1;
  }
  size_t nonce_len = 0, ct_len = 0;
  const char *nonce_b64 = json_string_value(json_object_get(env, "nonce"));
  const char *ct_b64 = json_string_value(json_object_get(env, "ciphertext"));
  unsigned char *nonce = nonce_b64 ? unb64(nonce_b64, &nonce_len) : NULL;
  unsigned char *ct = ct_b64 ? unb64(ct_b64, &ct_len) : NULL;
  char *id = p->key_id(env), *aad = aad_of(p, env);
  int rc = -1;
  if (!id || !aad || nonce_len != NONCE_LEN || ct_len < TAG_LEN) {
    snprintf(err, n, "%s: the encryption header is damaged; refusing to use it", what);
    goto done;
  }
  size_t len = ct_len - TAG_LEN;
  unsigned char found[KEY_LEN];
  const unsigned char *key = NULL;
  err[0] = '\0';
  for (int which = 0; which < 2 && !key; which++) {  /* the method's key, then the fallback's */
    if (kr->keys[which].provider != p->kind) continue;
    key = cached(kr, which, id);
    if (!key) {
      int got = p->read_key(kr, &kr->keys[which], env, found, what, err, n);
      if (got < 0) goto done;
      if (got == 0) {
        cache_put(kr, which, id, found);
        key = cached(kr, which, id);
      }
    }
    if (key) *stale = which != 0;
  }
  OPENSSL_cleanse(found, sizeof found);
  if (!key) {
    if (p->kind == KEY_PBKDF2)
      snprintf(err, n, "%s: cannot decrypt it with key_provider \"pbkdf2\": the passphrase is wrong "
               "(neither the method's nor the fallback's key opens it); nothing was changed", what);
    else
      snprintf(err, n, "%s: cannot decrypt it with key_provider \"%s\": its data key is encrypted under "
               "KMS key %s, which is neither the method's nor the fallback's; nothing was changed", what,
               p->name, json_string_value(json_object_get(env, "kms_key_id")));
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
  free(id);
  free(aad);
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
    snprintf(err, n, "%s is not encrypted and encryption{} (key_provider \"%s\") accepts no "
             "plaintext; to encrypt it, add fallback = { key_provider = \"unencrypted\" } for one run",
             what, kind_name(kr->keys[0].provider));
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
    const char *name = json_string_value(json_object_get(env, "key_provider"));
    snprintf(err, n, "%s is encrypted (key_provider \"%s\") and the stack configures no encryption{}", what,
             name ? name : "?");
    rc = -1;
  } else {
    rc = open_envelope(kr, what, env, out, out_len, stale, err, n);
  }
  json_decref(env);
  return rc;
}

/* ---- Lua surface ---- */

static void free_keys(lua_State *L, lf_keyring *kr) {
  for (int i = 0; i < 2; i++) {
    key_spec *k = &kr->keys[i];
    if (k->passphrase) OPENSSL_cleanse(k->passphrase, k->passlen);
    free(k->passphrase);
    k->passphrase = NULL;
    free(k->kms_key_id);
    k->kms_key_id = NULL;
    if (k->kms_ref > 0) luaL_unref(L, LUA_REGISTRYINDEX, k->kms_ref);
    k->kms_ref = 0;
  }
  for (int i = 0; i < kr->ncache; i++) free(kr->cache[i].id);
  kr->ncache = 0;
  json_decref(kr->whdr);
  kr->whdr = NULL;
  OPENSSL_cleanse(kr->wkey, sizeof kr->wkey);
  OPENSSL_cleanse(kr->cache, sizeof kr->cache);
}

lf_keyring *lf_keyring_check(lua_State *L, int idx) {
  lf_keyring *kr = luaL_checkudata(L, idx, KEYRING_MT);
  kr->L = L;
  return kr;
}

/* {key_provider = "pbkdf2", passphrase = s, iterations = n} | {key_provider
 * = "aws_kms", kms_key_id = s, kms = function} | {key_provider =
 * "unencrypted"} at idx (checked by luaform.encryption) into k. */
static void read_spec(lua_State *L, int idx, key_spec *k) {
  lua_getfield(L, idx, "key_provider");
  const char *name = luaL_checkstring(L, -1);
  const provider *p = provider_named(name);
  if (!p && strcmp(name, "unencrypted") != 0) luaL_error(L, "unknown key_provider \"%s\"", name);
  k->provider = p ? p->kind : KEY_UNENCRYPTED;
  if (k->provider == KEY_PBKDF2) {
    lua_getfield(L, idx, "passphrase");
    const char *s = luaL_checklstring(L, -1, &k->passlen);
    k->passphrase = lf_xmalloc(k->passlen + 1);
    memcpy(k->passphrase, s, k->passlen + 1);
    lua_getfield(L, idx, "iterations");
    k->iterations = (int)luaL_checkinteger(L, -1);
    lua_pop(L, 2);
  } else if (k->provider == KEY_AWS_KMS) {
    lua_getfield(L, idx, "kms_key_id");
    k->kms_key_id = lf_xstrdup(luaL_checkstring(L, -1));
    lua_getfield(L, idx, "kms");
    luaL_checktype(L, -1, LUA_TFUNCTION);
    k->kms_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
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
  char *out, err[1024];
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
  char *out, err[1024];
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

/* kr:prepare() -> true | nil, message: the method's write key made now
 * when it comes from a service (aws_kms), so a key that cannot be used
 * fails before a run changes anything rather than at its first save. */
static int m_prepare(lua_State *L) {
  lf_keyring *kr = lf_keyring_check(L, 1);
  char err[1024];
  if (lf_keyring_prepare(kr, err, sizeof err) != 0) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

static int m_gc(lua_State *L) {
  free_keys(L, luaL_checkudata(L, 1, KEYRING_MT));
  return 0;
}

/* core.keyring, and core.unseal(keyring | nil, text, what): kr:open
 * that also takes no keyring (plaintext passes, a sealed text is
 * refused). */
void lf_open_crypt(lua_State *L) {
  static const luaL_Reg methods[] = {{"seal", m_seal}, {"open", m_open}, {"prepare", m_prepare}, {NULL, NULL}};
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
