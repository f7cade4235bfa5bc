/*
 * Client-side encryption of state and plan files (engine/crypt.c).
 *
 * A keyring holds the method writes use (a key provider: pbkdf2, or
 * unencrypted) and an optional fallback key that reads may also use
 * (rotation, migration from or to plaintext). Sealed data is an envelope:
 * compact JSON, "encryption" first so it is recognised by its prefix:
 *   {"encryption":"luaform/1","method":"aes_gcm_256","key_provider":"pbkdf2",
 *    "hash":"sha256","salt":B64,"iterations":N,"key_check":B64,"nonce":B64,
 *    "ciphertext":B64}
 * ciphertext is AES-256-GCM's output followed by its 16-byte tag; the
 * header fields before nonce are the associated data, so none can be
 * altered either. key_check (HMAC-SHA256(key, "luaform key check"), 16
 * bytes) tells a wrong passphrase from altered data. The key is PBKDF2-HMAC-SHA256(passphrase, salt,
 * iterations); a keyring derives the key of one salt once.
 */
#ifndef LUAFORM_CRYPT_H
#define LUAFORM_CRYPT_H

#include <lua.h>
#include <stddef.h>

typedef struct lf_keyring lf_keyring;

/* Whether data is a sealed envelope. */
int lf_is_sealed(const char *data, size_t len);

/* data sealed with the keyring's method: 0 with *out (lf_xmalloc'd), 1
 * when the method writes plaintext (kr NULL or unencrypted: use data as
 * it is), -1 with err. */
int lf_seal(lf_keyring *kr, const char *data, size_t len, char **out, size_t *out_len,
            char *err, size_t n);

/* The plaintext of stored data (what names it in messages): 0 with *out
 * (lf_xmalloc'd), 1 when data is plaintext the keyring accepts (use it as
 * it is), -1 with err: a wrong or missing key (naming the key provider),
 * failed authentication (tampered), or plaintext the keyring refuses.
 * *stale (when stale is not NULL): data is not what the method writes (it
 * was plaintext, or opened with the fallback key), so a save migrates it. */
int lf_unseal(lf_keyring *kr, const char *what, const char *data, size_t len, char **out,
              size_t *out_len, int *stale, char *err, size_t n);

/* The keyring of the core.keyring userdata at idx (raises otherwise). */
lf_keyring *lf_keyring_check(lua_State *L, int idx);

#endif
