# luaform build. `make` builds ./luaform; `make test` installs missing
# packages (scripts/deps.sh), builds, and runs every test suite, also against
# a sanitizer build (build-san/) and each fuzz target briefly; `make fuzz
# FUZZ_SECONDS=N` runs each fuzz target N seconds (tests/fuzz/run.sh).
CC      ?= gcc
PREFIX  ?= /usr/local
PKGS    := lua5.4 libcurl jansson expat openssl zlib libedit
# B: the build directory; BIN: the executable. The sanitizer and fuzz builds
# are this Makefile run again with another B, BIN, CC and SANITIZE.
B       ?= build
BIN     ?= luaform
SANITIZE ?=
CFLAGS  ?= -O2 -g
CFLAGS  += $(SANITIZE) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -I$(B) \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

# Every .c under engine/ is part of the engine library except main.c, so a
# new concern is a new file and no Makefile edit.
ENGINE_SRC := $(filter-out engine/main.c,$(wildcard engine/*.c engine/aws/*.c))
ENGINE_OBJ := $(patsubst %.c,$(B)/%.o,$(ENGINE_SRC))
LUA_SRC    := $(shell find lua stdlib -name '*.lua' | sort)
UNIT_SRC   := $(wildcard tests/unit/*_test.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

all: $(BIN)

$(BIN): $(B)/engine/main.o $(B)/libluaform.a
	$(CC) $(CFLAGS) -o $@.$$$$ $^ $(LDLIBS) && mv $@.$$$$ $@

$(B)/libluaform.a: $(ENGINE_OBJ) $(B)/embedded.o
	@rm -f $@
	ar rcs $@ $^

$(B)/%.o: %.c $(wildcard include/luaform/*.h engine/*.h engine/aws/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The Lua side (lua/ and stdlib/) is compiled into the binary.
$(B)/embedded.c: $(B)/embed $(LUA_SRC)
	$(B)/embed $(LUA_SRC) > $@.$$$$ && mv $@.$$$$ $@

$(B)/embedded.o: $(B)/embedded.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/embed: tools/embed.c
	@mkdir -p $(B)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

$(B)/tests/%: tests/unit/%.c $(B)/libluaform.a
	@mkdir -p $(B)/tests
	$(CC) $(CFLAGS) -o $@ $< $(B)/libluaform.a $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)

# The sanitizer build: build-san/luaform and its unit tests under
# AddressSanitizer (leaks included) and UndefinedBehaviorSanitizer; any
# report ends the process with an error. The executable finds the repository
# (models, tests, examples) beside itself, as ./luaform does: links give it
# that view. Its unit tests live in build-san/unit/ (build-san/tests is the
# link).
SAN_CC    ?= clang
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
san:
	$(MAKE) B=build-san BIN=build-san/luaform CC=$(SAN_CC) SANITIZE="$(SAN_FLAGS)" all san-unit
	@for d in models examples tests docs bench; do ln -sfn ../$$d build-san/$$d; done

san-unit: $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNIT_SRC))

$(B)/unit/%: tests/unit/%.c $(B)/libluaform.a
	@mkdir -p $(B)/unit
	$(CC) $(CFLAGS) -o $@ $< $(B)/libluaform.a $(LDLIBS) -lcmocka

# libFuzzer targets (tests/fuzz/*.c), each linked with a libluaform built
# for fuzzing in build-fuzz/. `make fuzz FUZZ_SECONDS=N` runs each for N
# seconds on its corpus (tests/fuzz/corpus/<target>/, seeds generated into
# build-fuzz/seeds/<target>/); new inputs go to build-fuzz/corpus/<target>/.
FUZZ_SRC     := $(wildcard tests/fuzz/*.c)
FUZZ_FLAGS   := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_SECONDS ?= 10
fuzz-build:
	$(MAKE) B=build-fuzz BIN=build-fuzz/luaform CC=clang SANITIZE="$(FUZZ_FLAGS)" fuzz-bins
	@ln -sfn ../../models build-fuzz/fuzz/models

fuzz-bins: $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))

$(B)/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h) $(B)/libluaform.a
	@mkdir -p $(B)/fuzz
	$(CC) $(CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< $(B)/libluaform.a $(LDLIBS)

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_SECONDS)

deps:
	scripts/deps.sh

test: deps
	$(MAKE) all unit
	$(MAKE) san fuzz-build
	tests/run.sh

# Every bench/*/run.sh (engine, transport); each prints its own table.
bench: all
	@for b in bench/*/run.sh; do echo "== $$b"; $$b || exit 1; done

demo: deps
	$(MAKE) all
	scripts/demo.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/luaform
	install -m 0755 luaform $(DESTDIR)$(PREFIX)/bin/luaform
	cp -r models $(DESTDIR)$(PREFIX)/share/luaform/

clean:
	rm -rf build build-san build-fuzz luaform

.PHONY: all unit san san-unit fuzz-build fuzz-bins fuzz deps test bench demo install clean
