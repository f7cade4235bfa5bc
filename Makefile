# luaform build. `make` builds ./luaform; `make test` installs missing
# packages (scripts/deps.sh), builds, and runs every test suite.
CC      ?= gcc
PREFIX  ?= /usr/local
PKGS    := lua5.4 libcurl jansson expat openssl zlib libedit
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Ibuild \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

# Every .c under engine/ is part of the engine library except main.c, so a
# new concern is a new file and no Makefile edit.
ENGINE_SRC := $(filter-out engine/main.c,$(wildcard engine/*.c engine/aws/*.c))
ENGINE_OBJ := $(patsubst %.c,build/%.o,$(ENGINE_SRC))
LUA_SRC    := $(shell find lua stdlib -name '*.lua' | sort)
UNIT_SRC   := $(wildcard tests/unit/*_test.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))

all: luaform

luaform: build/engine/main.o build/libluaform.a
	$(CC) $(CFLAGS) -o $@.$$$$ $^ $(LDLIBS) && mv $@.$$$$ $@

build/libluaform.a: $(ENGINE_OBJ) build/embedded.o
	@rm -f $@
	ar rcs $@ $^

build/%.o: %.c $(wildcard include/luaform/*.h engine/*.h engine/aws/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The Lua side (lua/ and stdlib/) is compiled into the binary.
build/embedded.c: build/embed $(LUA_SRC)
	build/embed $(LUA_SRC) > $@.$$$$ && mv $@.$$$$ $@

build/embedded.o: build/embedded.c
	$(CC) $(CFLAGS) -c -o $@ $<

build/embed: tools/embed.c
	@mkdir -p build
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

build/tests/%: tests/unit/%.c build/libluaform.a
	@mkdir -p build/tests
	$(CC) $(CFLAGS) -o $@ $< build/libluaform.a $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)

deps:
	scripts/deps.sh

test: deps
	$(MAKE) all unit
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
	rm -rf build luaform

.PHONY: all unit deps test bench demo install clean
