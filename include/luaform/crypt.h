/*
 * Client-side encryption of state and plan files (engine/crypt.c).
 *
 * A keyring holds the method writes use (a key provider: pbkdf2, aws_kms,
 * or unencrypted) and an optional fallback key that reads may also use
 * (rotation, migration between providers, from or to plaintext). Sealed
 * data is an envelope: compact JSON, "encryption" first so it is
 * recognised by its prefix, then the key provider's header fields:
 *   {"encryption":"luaform/1","method":"aes_gcm_256","key_provider":"pbkdf2",
 *    "hash":"sha256","salt":B64,"iterations":N,"key_check":B64,"nonce":B64,
 *    "ciphertext":B64}
 *   {"encryption":"luaform/1","method":"aes_gcm_256","key_provider":"aws_kms",
 *    "kms_key_id":ARN,"encrypted_key":B64,"nonce":B64,"ciphertext":B64}
 * ciphertext is AES-256-GCM's output followed by its 16-byte tag; the
 * header fields before nonce are the associated data, so none can be
 * altered either. pbkdf2: the key is PBKDF2-HMAC-SHA256(passphrase, salt,
 * iterations); key_check (HMAC-SHA256(key, "luaform key check"), 16
 * bytes) tells a wrong passphrase from altered data. aws_kms: the key is a
 * data key from KMS GenerateDataKey, stored encrypted (encrypted_key) and
 * opened by KMS Decrypt. A keyring makes its write key once and keeps the
 * keys it derived or decrypted (wiped when it is freed).
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

/* The keyring of the core.keyring userdata at idx (raises otherwise),
 * bound to L. */
lf_keyring *lf_keyring_check(lua_State *L, int idx);

/* The thread the keyring's aws_kms calls run on from now (the current
 * Lua call's; kr may be NULL). */
void lf_keyring_bind(lf_keyring *kr, lua_State *L);

/* Makes the method's write key now when it comes from a service
 * (aws_kms): 0, or -1 with err. */
int lf_keyring_prepare(lf_keyring *kr, char *err, size_t n);

#endif
