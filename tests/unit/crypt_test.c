/*
 * crypt_test.c - sealing and opening (engine/crypt.c) through the keyring
 * luaform.core makes: a sealed text opens to the same bytes and shows
 * none of them; one altered byte of the ciphertext or of the header is
 * refused; a wrong passphrase is its own error naming the key provider;
 * plaintext is refused unless "unencrypted" is the method or fallback;
 * the fallback key opens what the old key sealed and marks it stale.
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

/* Pushes a key spec table: provider, passphrase (NULL: none). */
static void push_key(const char *provider, const char *pass) {
  lua_newtable(L);
  lua_pushstring(L, provider);
  lua_setfield(L, -2, "key_provider");
  if (pass) {
    lua_pushstring(L, pass);
    lua_setfield(L, -2, "passphrase");
    lua_pushinteger(L, 1000);
    lua_setfield(L, -2, "iterations");
  }
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

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_round_trip_hides_everything),
    cmocka_unit_test(test_altered_data_is_refused),
    cmocka_unit_test(test_wrong_key_names_the_provider),
    cmocka_unit_test(test_plaintext_needs_unencrypted),
    cmocka_unit_test(test_fallback_opens_the_old_key),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
