# rgmon -- GNU make. `make` builds build/rgmon; `make test` runs every suite;
# `make demo` runs the whole system; `make bench` measures it.
# Targets that need system packages first install what docker/debian-packages.txt
# lists and this machine lacks (see .ci/install-packages).

PKGS     := rdkafka jansson sqlite3 libmicrohttpd libcrypto liblz4
CC       ?= cc
PORT     ?= 8080

WARN     := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
            -Wpointer-arith -Wformat=2 -Wvla -Wno-unused-parameter
BASEFLAGS:= -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc -MMD -MP $(WARN)

# Small fixed-size memset/memcpy (an event, a window sum, an engine
# result: tens to hundreds of bytes, several times an event) as unrolled
# moves, larger ones as a call to libc: gcc's generic tuning emits `rep
# stos`/`rep movs`, which start slowly on the AMD cores of these machines
# (a memset of 272 bytes was a quarter of state_windows_hours). rgmon
# evaluate on the bench's 300k events, pinned to one core, five runs each,
# median: 919k -> 1,009k events/s; replay 286k -> 297k. gcc on x86 only:
# elsewhere the flags are left out.
STRINGOPS_TRY := -mmemset-strategy=unrolled_loop:512:noalign,libcall:-1:noalign \
                 -mmemcpy-strategy=unrolled_loop:512:noalign,libcall:-1:noalign
STRINGOPS := $(shell $(CC) $(STRINGOPS_TRY) -Werror -x c -c -o /dev/null /dev/null 2>/dev/null && echo '$(STRINGOPS_TRY)')

# Variants: release (default) and SAN=1 (ASan + UBSan), each in its own object dir.
ifeq ($(SAN),1)
  VARIANT := san
  OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
  LDSAN   := -fsanitize=address,undefined
else ifeq ($(FUZZ),1)
  # libFuzzer harnesses (tests/fuzz/): clang, coverage + ASan + UBSan.
  VARIANT := fuzz
  CC      := clang
  # clang, unlike gcc, flags the rule tables' parameter rows that leave
  # their trailing `optional` out (false), a C default the tables rely on.
  OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
             -Wno-missing-field-initializers
  LDSAN   := -fsanitize=fuzzer,address,undefined
else
  VARIANT := release
  OPT     := -O2 -g $(STRINGOPS)
  LDSAN   :=
endif

OBJDIR   := build/obj-$(VARIANT)
BIN      := build/rgmon$(if $(filter san,$(VARIANT)),-san,)

# pkg-config runs only when something is built, not for `make clean`.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS= $(shell pkg-config --libs cmocka 2>/dev/null)

CFLAGS   += $(BASEFLAGS) $(OPT) $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lpthread -lm

# Every module but main.c goes into a library the unit tests link against.
LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c src/rules/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(OBJDIR)/%.o)
# The decision core: pure functions of their inputs (DESIGN 2.1). `make
# check-pure` proves these objects link to nothing that does I/O, reads a
# clock or keeps mutable globals; a file added here is held to the same.
CORE_SRC := src/event.c src/timestamp.c src/tz.c src/policy.c src/policy_set.c src/engine.c src/state.c src/score.c \
            src/state_codec.c src/digest.c src/common.c src/risk.c src/alert_decide.c src/alert_json.c src/follow_up.c \
            src/talk.c src/talk_fmt.c \
            $(wildcard src/rules/*.c)
CORE_OBJ := $(CORE_SRC:src/%.c=$(OBJDIR)/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(OBJDIR)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(OBJDIR)/fuzz/%)
FUZZ_SECONDS ?= 60

.PHONY: all deps test test-faults test-unit unit-bins demo bench fuzz fuzz-bins check-static check-pure clean help

all: $(BIN)

help:
	@echo "make            build build/rgmon"
	@echo "make test       install missing packages, build, run unit + integration + sanitizer suites"
	@echo "make demo       run broker + simulator + serve; web UI on http://127.0.0.1:\$$PORT (default 8080)"
	@echo "make bench      throughput benchmarks (prints ratios)"
	@echo "make SAN=1      ASan/UBSan build into build/rgmon-san"
	@echo "make test-faults  the crash and fault suites at full length (20 kills, 30 s broker outage, ...)"
	@echo "make check-static  cppcheck and clang-tidy (clang-analyzer) over src/, clean or it fails"
	@echo "make check-pure    the decision core (CORE_SRC) links to no I/O, clock or mutable global"
	@echo "make fuzz       libFuzzer: event parser, policy loader, audit verifier, FUZZ_SECONDS each (default 60)"

# Installs missing Debian packages; cheap when nothing is missing.
deps:
	@sh .ci/install-packages

$(BIN): $(OBJDIR)/main.o $(OBJDIR)/librgmon.a | deps
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

$(OBJDIR)/librgmon.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The built-in policy: policies/default.json as a C string literal.
build/gen/policy_default.inc: policies/default.json
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@
$(OBJDIR)/policy_file.o: build/gen/policy_default.inc

# The built-in talk files (talking points per language, help lines):
# every policies/talk/*.json as a C string literal in one table.
TALK_FILES := $(sort $(wildcard policies/talk/*.json))
build/gen/talk_default.inc: $(TALK_FILES) Makefile
	@mkdir -p $(dir $@)
	@{ for f in $(TALK_FILES); do \
	     sym=$$(basename $$f | tr -c 'a-zA-Z0-9\n' '_'); \
	     echo "static const char talk_$$sym[] ="; \
	     sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; \
	     echo ";"; \
	   done; \
	   echo "static const struct talk_builtin talk_builtins[] = {"; \
	   for f in $(TALK_FILES); do \
	     n=$$(basename $$f); sym=$$(echo $$n | tr -c 'a-zA-Z0-9\n' '_'); \
	     echo "	{ \"$$n\", talk_$$sym, sizeof(talk_$$sym) - 1 },"; \
	   done; \
	   echo "};"; } > $@
$(OBJDIR)/talk_file.o: build/gen/talk_default.inc

# The web UI: every file in src/web/ as a C string literal in one table.
WEB_FILES := $(sort $(wildcard src/web/*))
build/gen/web_assets.inc: $(WEB_FILES) Makefile
	@mkdir -p $(dir $@)
	@{ for f in $(WEB_FILES); do \
	     sym=$$(basename $$f | tr -c 'a-zA-Z0-9\n' '_'); \
	     echo "static const char asset_$$sym[] ="; \
	     sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; \
	     echo ";"; \
	   done; \
	   echo "static const struct web_asset web_assets[] = {"; \
	   for f in $(WEB_FILES); do \
	     n=$$(basename $$f); sym=$$(echo $$n | tr -c 'a-zA-Z0-9\n' '_'); \
	     echo "	{ \"$$n\", asset_$$sym, sizeof(asset_$$sym) - 1 },"; \
	   done; \
	   echo "};"; } > $@
$(OBJDIR)/web.o: build/gen/web_assets.inc
CFLAGS   += -Ibuild/gen

$(OBJDIR)/%.o: src/%.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(OBJDIR)/tests/%.o: tests/unit/%.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -c -o $@ $<

$(OBJDIR)/tests/test_%: $(OBJDIR)/tests/test_%.o $(OBJDIR)/librgmon.a
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS) $(CMOCKA_LIBS)

# Unit suites print cmocka's own report to stderr; tests/run-suites sums
# them into the single closing line "N passed, N failed".
# The two builds use both cores of the CI machine; the suites run one at a time.
test: deps
	@$(MAKE) --no-print-directory -j2 all unit-bins
	@$(MAKE) --no-print-directory -j2 SAN=1 all unit-bins
	@$(MAKE) --no-print-directory check-pure
	@sh tests/run-suites build/obj-release build/obj-san

unit-bins: $(UNIT_BIN)

test-faults: deps
	@$(MAKE) --no-print-directory all unit-bins
	@sh tests/run-faults

$(OBJDIR)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(OBJDIR)/librgmon.a | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDSAN) -o $@ $^ $(LDLIBS)

fuzz-bins: $(FUZZ_BIN)

# Builds the release binary (for the seed corpus) and the harnesses, then
# runs each harness FUZZ_SECONDS; a finding stops it and fails the target.
fuzz: all
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-bins
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

test-unit: all unit-bins
	@sh tests/run-suites --unit-only $(OBJDIR)

demo: all
	@PORT=$(PORT) sh tests/demo.sh

bench: all
	@sh tests/bench/run.sh

check-pure: $(CORE_OBJ)
	@sh tests/check-pure $(CORE_OBJ)

# Static analysis. clang-analyzer's valist.Uninitialized is left out: on
# clang 14 it reports every va_start/vsnprintf pair (a known false positive).
TIDY_CHECKS := -*,clang-analyzer-*,-clang-analyzer-valist.Uninitialized,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling
check-static: deps build/gen/policy_default.inc build/gen/web_assets.inc build/gen/talk_default.inc
	cppcheck --quiet --std=c11 --enable=warning,portability,performance --inline-suppr \
	  -Iinclude -Isrc -Ibuild/gen --error-exitcode=1 src
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' $(LIB_SRC) src/main.c -- \
	  $(BASEFLAGS) $(PKG_CFLAGS) -Ibuild/gen
	@echo "check-static: cppcheck and clang-tidy clean"

clean:
	rm -rf build

-include $(wildcard build/obj-*/*.d build/obj-*/rules/*.d build/obj-*/tests/*.d)

# Keep test objects between runs (they are intermediates of the test binaries).
.SECONDARY:
