/*
 * crypt_test.c - sealing and opening (engine/crypt.c) through the keyring
 * luaform.core makes: a sealed text opens to the same bytes and shows
 * none of them; one altered byte of the ciphertext or of the header is
 * refused; a wrong passphrase is its own error naming the key provider;
 * plaintext is refused unless "unencrypted" is the method or fallback;
 * the fallback key opens what the old key sealed and marks it stale.
 * aws_kms (with a stand-in for luaform.encryption's KMS function): the
 * data key's encrypted copy is in the header, a keyring decrypts each
 * data key once, another KMS key's data key is refused naming it, and a
 * fallback of another provider opens it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lauxlib.h>
#include <lualib.h>

#include "luaform/crypt.h"
#include "luaform/luaform.h"

#define PLAIN "{\"resources\":{\"aws_vpc.main\":{\"id\":\"vpc-0123\",\"secret\":\"hunter2-hunter2\"}}}"

static lua_State *L;

/* Pushes a key spec table: provider, passphrase or KMS key id (NULL: none). */
static void push_key(const char *provider, const char *pass) {
  lua_newtable(L);
  lua_pushstring(L, provider);
  lua_setfield(L, -2, "key_provider");
  if (pass && strcmp(provider, "aws_kms") == 0) {  /* pass: the KMS key id */
    lua_pushstring(L, pass);
    lua_setfield(L, -2, "kms_key_id");
    lua_getglobal(L, "kms");
    lua_pushstring(L, pass);
    lua_call(L, 1, 1);
    lua_setfield(L, -2, "kms");
  } else if (pass) {
    lua_pushstring(L, pass);
    lua_setfield(L, -2, "passphrase");
    lua_pushinteger(L, 1000);
    lua_setfield(L, -2, "iterations");
  }
}

/* A stand-in for KMS, as luaform.encryption's function sees it: kms(id)
 * is the function of key id; data keys are random, their "encrypted"
 * blob names the key and a counter; calls counts the calls by op. */
static const char *FAKE_KMS =
  "calls, keys, n = { GenerateDataKey = 0, Decrypt = 0 }, {}, 0\n"
  "function kms(id) return function(op, blob)\n"
  "  calls[op] = calls[op] + 1\n"
  "  if op == 'GenerateDataKey' then\n"
  "    n = n + 1; local b = id .. ':' .. n\n"
  "    keys[b] = string.rep(string.char(n), 32); return keys[b], b, 'arn:' .. id\n"
  "  end\n"
  "  if blob:sub(1, #id + 1) ~= id .. ':' then\n"
  "    return nil, 'KMS Decrypt failed: IncorrectKeyException: not ' .. id, 'IncorrectKeyException'\n"
  "  end\n"
  "  return keys[blob]\n"
  "end end\n";

static lua_Integer kms_calls(const char *op) {
  lua_getglobal(L, "calls");
  lua_getfield(L, -1, op);
  lua_Integer n = lua_tointeger(L, -1);
  lua_pop(L, 2);
  return n;
}

/* A keyring (kept on the Lua stack) of a method and an optional fallback. */
static lf_keyring *keyring(const char *provider, const char *pass, const char *fb_provider, const char *fb_pass) {
  assert_true(lua_checkstack(L, 6));
  lua_getfield(L, 1, "keyring");
  lua_newtable(L);
  push_key(provider, pass);
  lua_setfield(L, -2, "method");
  if (fb_provider) {
    push_key(fb_provider, fb_pass);
    lua_setfield(L, -2, "fallback");
  }
  assert_int_equal(lua_pcall(L, 1, 1, 0), LUA_OK);
  return lf_keyring_check(L, -1);
}

/* PLAIN sealed with kr's method into *out. */
static void seal_into(lf_keyring *kr, char **out, size_t *len) {
  char err[300];
  assert_int_equal(lf_seal(kr, PLAIN, strlen(PLAIN), out, len, err, sizeof err), 0);
}

static int setup(void **unused) {
  (void)unused;
  L = luaL_newstate();
  lua_newtable(L);
  lf_open_crypt(L);
  luaL_openlibs(L);
  assert_int_equal(luaL_dostring(L, FAKE_KMS), LUA_OK);
  return 0;
}

static int teardown(void **unused) {
  (void)unused;
  lua_close(L);
  return 0;
}

static void test_round_trip_hides_everything(void **unused) {
  (void)unused;
  lf_keyring *kr = keyring("pbkdf2", "correct-horse-battery", NULL, NULL);
  size_t len, plen;
  char *sealed, *plain, err[300];
  int stale = -1;
  seal_into(kr, &sealed, &len);
  assert_true(lf_is_sealed(sealed, len));
  assert_null(strstr(sealed, "vpc-0123"));
  assert_null(strstr(sealed, "hunter2"));
  assert_null(strstr(sealed, "aws_vpc"));
  assert_int_equal(lf_unseal(kr, "state", sealed, len, &plain, &plen, &stale, err, sizeof err), 0);
  assert_int_equal(plen, strlen(PLAIN));
  assert_memory_equal(plain, PLAIN, plen);
  assert_int_equal(stale, 0);
  free(plain);
  free(sealed);
}

/* Flips one character of the value of field in the sealed text. */
static void alter(char *sealed, const char *field) {
  char *at = strstr(sealed, field);
  assert_non_null(at);
  at += strlen(field) + 5;
  *at = *at == 'A' ? 'B' : 'A';
}

static void test_altered_data_is_refused(void **unused) {
  (void)unused;
  lf_keyring *kr = keyring("pbkdf2", "correct-horse-battery", NULL, NULL);
  const char *fields[] = {"\"ciphertext\":\"", "\"nonce\":\"", "\"salt\":\""};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    size_t len, plen;
    char *sealed, *plain = NULL, err[300];
    seal_into(kr, &sealed, &len);
    alter(sealed, fields[i]);
    assert_int_equal(lf_unseal(kr, "state", sealed, len, &plain, &plen, NULL, err, sizeof err), -1);
    assert_null(plain);
    assert_non_null(strstr(err, i < 2 ? "altered" : "key_provider \"pbkdf2\""));
    free(sealed);
  }
}

static void test_wrong_key_names_the_provider(void **unused) {
  (void)unused;
  size_t len, plen;
  char *sealed, *plain, err[300];
  seal_into(keyring("pbkdf2", "correct-horse-battery", NULL, NULL), &sealed, &len);
  lf_keyring *other = keyring("pbkdf2", "wrong-horse-battery!!", NULL, NULL);
  assert_int_equal(lf_unseal(other, "state", sealed, len, &plain, &plen, NULL, err, sizeof err), -1);
  assert_string_equal(err, "state: cannot decrypt it with key_provider \"pbkdf2\": the passphrase is wrong "
                           "(neither the method's nor the fallback's key opens it); nothing was changed");
  assert_int_equal(lf_unseal(NULL, "state", sealed, len, &plain, &plen, NULL, err, sizeof err), -1);
  assert_non_null(strstr(err, "is encrypted (key_provider \"pbkdf2\")"));
  free(sealed);
}

static void test_plaintext_needs_unencrypted(void **unused) {
  (void)unused;
  char *plain, err[300];
  size_t plen;
  int stale = -1;
  lf_keyring *kr = keyring("pbkdf2", "correct-horse-battery", NULL, NULL);
  assert_int_equal(lf_unseal(kr, "state", PLAIN, strlen(PLAIN), &plain, &plen, NULL, err, sizeof err), -1);
  assert_non_null(strstr(err, "state is not encrypted"));
  kr = keyring("pbkdf2", "correct-horse-battery", "unencrypted", NULL);
  assert_int_equal(lf_unseal(kr, "state", PLAIN, strlen(PLAIN), &plain, &plen, &stale, err, sizeof err), 1);
  assert_int_equal(stale, 1);
  kr = keyring("unencrypted", NULL, NULL, NULL);
  assert_int_equal(lf_seal(kr, PLAIN, strlen(PLAIN), &plain, &plen, err, sizeof err), 1);
  assert_int_equal(lf_unseal(kr, "state", PLAIN, strlen(PLAIN), &plain, &plen, &stale, err, sizeof err), 1);
  assert_int_equal(stale, 0);
}

static void test_fallback_opens_the_old_key(void **unused) {
  (void)unused;
  size_t len, plen;
  char *sealed, *plain, err[300];
  seal_into(keyring("pbkdf2", "old-passphrase-0000", NULL, NULL), &sealed, &len);
  int stale = 0;
  lf_keyring *kr = keyring("pbkdf2", "new-passphrase-1111", "pbkdf2", "old-passphrase-0000");
  assert_int_equal(lf_unseal(kr, "state", sealed, len, &plain, &plen, &stale, err, sizeof err), 0);
  assert_memory_equal(plain, PLAIN, plen);
  assert_int_equal(stale, 1);
  free(plain);
  free(sealed);
}

static void test_aws_kms_data_keys(void **unused) {
  (void)unused;
  size_t len, len2, plen;
  char *sealed, *sealed2, *plain, err[600];
  int stale = -1;
  lf_keyring *writer = keyring("aws_kms", "k1", NULL, NULL);
  seal_into(writer, &sealed, &len);
  seal_into(writer, &sealed2, &len2);
  assert_int_equal(kms_calls("GenerateDataKey"), 1);
  assert_non_null(strstr(sealed, "\"key_provider\":\"aws_kms\",\"kms_key_id\":\"arn:k1\",\"encrypted_key\":\""));
  assert_null(strstr(sealed, "hunter2"));
  assert_int_equal(lf_unseal(writer, "state", sealed, len, &plain, &plen, &stale, err, sizeof err), 0);
  assert_memory_equal(plain, PLAIN, plen);
  free(plain);
  assert_int_equal(kms_calls("Decrypt"), 0);  /* the writer knows its own data key */
  lf_keyring *reader = keyring("aws_kms", "k1", NULL, NULL);
  assert_int_equal(lf_unseal(reader, "state", sealed, len, &plain, &plen, &stale, err, sizeof err), 0);
  free(plain);
  assert_int_equal(lf_unseal(reader, "state", sealed2, len2, &plain, &plen, &stale, err, sizeof err), 0);
  free(plain);
  assert_int_equal(kms_calls("Decrypt"), 1);  /* one data key, decrypted once */
  assert_int_equal(stale, 0);
  /* Another KMS key: refused, naming the one that holds the data key. */
  lf_keyring *other = keyring("aws_kms", "k2", NULL, NULL);
  assert_int_equal(lf_unseal(other, "state", sealed, len, &plain, &plen, &stale, err, sizeof err), -1);
  assert_non_null(strstr(err, "cannot decrypt it with key_provider \"aws_kms\": its data key is encrypted under KMS key arn:k1"));
  /* As the fallback, of this provider or beside pbkdf2: opens it, stale. */
  lf_keyring *rotating = keyring("aws_kms", "k2", "aws_kms", "k1");
  assert_int_equal(lf_unseal(rotating, "state", sealed, len, &plain, &plen, &stale, err, sizeof err), 0);
  free(plain);
  assert_int_equal(stale, 1);
  lf_keyring *moving = keyring("pbkdf2", "correct-horse-battery", "aws_kms", "k1");
  assert_int_equal(lf_unseal(moving, "state", sealed, len, &plain, &plen, &stale, err, sizeof err), 0);
  assert_memory_equal(plain, PLAIN, plen);
  free(plain);
  assert_int_equal(stale, 1);
  free(sealed);
  free(sealed2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_round_trip_hides_everything),
    cmocka_unit_test(test_altered_data_is_refused),
    cmocka_unit_test(test_wrong_key_names_the_provider),
    cmocka_unit_test(test_plaintext_needs_unencrypted),
    cmocka_unit_test(test_fallback_opens_the_old_key),
    cmocka_unit_test(test_aws_kms_data_keys),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
