# liangfu build. `make` builds ./liangfu; `make test` runs every test with
# ASan+UBSan; `make demo` starts the platform on a demo database; `make bench`
# runs the benchmarks. Missing Debian packages are installed first.

CC      ?= gcc
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
BASE    := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -pthread -Isrc $(WARN)
LIBS    := -lmicrohttpd -linih -lsodium -lsqlite3 -lcrypto -ljansson -lxlsxwriter -lpq -lm -pthread
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

SRCS    := $(sort $(wildcard src/*/*.c src/*/*/*.c))
ASMS    := $(sort $(wildcard src/*/*.S))
LIBSRC  := $(filter-out src/cli/main.c,$(SRCS))
OBJS    := $(patsubst src/%.c,build/rel/%.o,$(SRCS)) $(patsubst src/%.S,build/rel/%.o,$(ASMS))
TOBJS   := $(patsubst src/%.c,build/test/%.o,$(LIBSRC)) $(patsubst src/%.S,build/test/%.o,$(ASMS))
TESTS   := $(patsubst tests/unit/%.c,build/test/%,$(sort $(wildcard tests/unit/test_*.c)))
DATA    := $(wildcard data/*.tsv) data/openapi.json

.PHONY: all deps deps-test test unit-test cli-test api-test fuzz-replay fuzz demo bench clean rel-test soak pg-test
all: deps liangfu web

deps:
	@sh scripts/deps.sh

# make test's packages, the browser tests' included, in one apt-get run
# (a fresh machine updates the package lists once)
deps-test:
	@sh scripts/deps.sh e2e

# nothing is compiled before the packages it needs are there (make -j)
$(OBJS) $(TOBJS): | deps

liangfu: $(OBJS)
	$(CC) $(CFLAGS) $(BASE) -o $@ $(OBJS) $(LIBS)

build/rel/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(BASE) -MMD -MP -c -o $@ $<

build/rel/%.o: src/%.S $(DATA)
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

build/test/%.o: src/%.S $(DATA)
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

build/test/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(SAN) -DLF_TESTING $(BASE) -MMD -MP -c -o $@ $<

build/test/liblf.a: $(TOBJS)
	rm -f $@
	ar rcs $@ $(TOBJS)

build/test/test_%: tests/unit/test_%.c tests/unit/testutil.c tests/unit/testutil.h build/test/liblf.a
	$(CC) -O1 -g $(SAN) -DLF_TESTING $(BASE) -Itests -o $@ $< tests/unit/testutil.c build/test/liblf.a -lcmocka $(LIBS)

APITESTS := $(patsubst tests/api/%.c,build/test/%,$(sort $(wildcard tests/api/test_*.c)))

$(APITESTS): build/test/%: tests/api/%.c tests/api/apiclient.c tests/api/apiclient.h tests/unit/testutil.c tests/unit/testutil.h build/test/liblf.a
	$(CC) -O1 -g $(SAN) -DLF_TESTING $(BASE) -Itests/unit -Itests/api -o $@ $< tests/api/apiclient.c tests/unit/testutil.c build/test/liblf.a -lcmocka -lcurl $(LIBS)

build/test/liangfu: build/test/cli/main.o build/test/liblf.a
	$(CC) -O1 -g $(SAN) -o $@ $^ $(LIBS)

# tests/cli: writes the .xlsx rosters the reconcile tests read
build/test/csv2xlsx: tests/cli/csv2xlsx.c build/test/liblf.a
	$(CC) -O1 -g $(SAN) -DLF_TESTING $(BASE) -o $@ $< build/test/liblf.a $(LIBS)

build/test/cli/main.o: src/cli/main.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(SAN) -DLF_TESTING $(BASE) -MMD -MP -c -o $@ $<

test: deps-test all unit-test cli-test api-test fuzz-replay rel-test pg-test test-e2e

unit-test: $(TESTS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		sh scripts/run-tests.sh $(TESTS)

cli-test: build/test/liangfu liangfu build/test/csv2xlsx
	@sh tests/cli/run.sh build/test/liangfu ./liangfu 100000
	@sh tests/lint/audit_words.sh

api-test: $(APITESTS) build/test/liangfu
	@for t in $(APITESTS); do ASAN_OPTIONS=detect_leaks=1 $$t || exit 1; done

build/test/fuzz_request: fuzz/fuzz_request.c fuzz/replay.c build/test/liblf.a
	$(CC) -O1 -g $(SAN) -DLF_TESTING $(BASE) -o $@ fuzz/fuzz_request.c fuzz/replay.c build/test/liblf.a $(LIBS)

# ---- reliability (issue 15): fuzz targets, crash, fault, load, backup ----
# Each fuzz/fuzz_NAME.c is replayed over fuzz/corpus/NAME by `make test`
# (gcc, ASan+UBSan); fuzz_json and fuzz_query drive a server in-process
# (fuzz/inproc.c).
FUZZERS := csv expr json query
FUZZINPROC := fuzz/inproc.c fuzz/inproc.h

build/test/fuzz_csv build/test/fuzz_expr: build/test/fuzz_%: fuzz/fuzz_%.c fuzz/replay.c build/test/liblf.a
	$(CC) -O1 -g $(SAN) -DLF_TESTING $(BASE) -I. -o $@ $< fuzz/replay.c build/test/liblf.a $(LIBS)

build/test/fuzz_json build/test/fuzz_query: build/test/fuzz_%: fuzz/fuzz_%.c fuzz/replay.c $(FUZZINPROC) build/test/liblf.a
	$(CC) -O1 -g $(SAN) -DLF_TESTING $(BASE) -I. -o $@ $< fuzz/inproc.c fuzz/replay.c build/test/liblf.a $(LIBS)

fuzz-replay: build/test/fuzz_request $(patsubst %,build/test/fuzz_%,$(FUZZERS))
	@build/test/fuzz_request fuzz/corpus/request
	@for t in $(FUZZERS); do printf '%s: ' $$t; \
		ASAN_OPTIONS=detect_leaks=0 build/test/fuzz_$$t fuzz/corpus/$$t \
		2>build/test/fuzz_$$t.log || { cat build/test/fuzz_$$t.log; exit 1; }; done

# Crash, fault, load and backup tests (tests/rel/): short in make test,
# long in make soak.
CRASH_TRIALS ?= 100
rel-test: liangfu build/test/test_rel_alloc build/test/liangfu
	@sh tests/rel/crash.sh ./liangfu $(CRASH_TRIALS)
	@sh tests/rel/readkill.sh ./liangfu 10
	@sh tests/rel/backup.sh ./liangfu
	@sh tests/rel/diskfull.sh ./liangfu
	@sh tests/rel/ioerr.sh build/test/liangfu
	@sh tests/rel/ioerr.sh build/test/liangfu lo
	@sh tests/rel/ioerr.sh build/test/liangfu m
	@sh tests/rel/ioerr_files.sh build/test/liangfu
	@ASAN_OPTIONS=detect_leaks=0 build/test/test_rel_alloc
	@sh bench/load.sh ./liangfu --small
	@sh tests/rel/busy.sh ./liangfu

soak: deps all build/test/test_rel_alloc build/test/liangfu
	@sh tests/rel/crash.sh ./liangfu 1000
	@sh tests/rel/readkill.sh ./liangfu 100
	@sh tests/rel/backup.sh ./liangfu
	@sh tests/rel/diskfull.sh ./liangfu
	@sh tests/rel/ioerr.sh build/test/liangfu
	@sh tests/rel/ioerr.sh build/test/liangfu lo
	@sh tests/rel/ioerr.sh build/test/liangfu m
	@sh tests/rel/ioerr_files.sh build/test/liangfu
	@sh bench/load.sh ./liangfu

build/test/test_rel_alloc: tests/rel/test_rel_alloc.c $(FUZZINPROC) build/test/liblf.a
	$(CC) -O1 -g $(SAN) -DLF_TESTING $(BASE) -I. -o $@ $< fuzz/inproc.c build/test/liblf.a $(LIBS)

# libFuzzer runs (clang-14 and its runtime from Debian): every target for
# FUZZ_SECONDS each, one after the other; new inputs that raise coverage
# land in build/fuzz/work-NAME (fold them into fuzz/corpus/NAME with
# `build/fuzz/fuzz_NAME -merge=1 fuzz/corpus/NAME build/fuzz/work-NAME`).
FUZZ_SECONDS ?= 600
FUZZCC := clang-14 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -DLF_TESTING \
	-std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -pthread -Isrc -I.
FUZZSRC := $(filter-out src/cli/%,$(SRCS)) $(ASMS)
fuzz: deps
	@dpkg-query -W clang-14 libclang-rt-14-dev >/dev/null 2>&1 || \
		apt-get install -y -q clang-14 libclang-rt-14-dev
	@mkdir -p build/fuzz
	$(FUZZCC) -o build/fuzz/fuzz_request fuzz/fuzz_request.c $(FUZZSRC) $(LIBS)
	$(FUZZCC) -o build/fuzz/fuzz_csv fuzz/fuzz_csv.c $(FUZZSRC) $(LIBS)
	$(FUZZCC) -o build/fuzz/fuzz_expr fuzz/fuzz_expr.c $(FUZZSRC) $(LIBS)
	$(FUZZCC) -o build/fuzz/fuzz_json fuzz/fuzz_json.c fuzz/inproc.c \
		src/cli/cli_common.c $(FUZZSRC) $(LIBS)
	$(FUZZCC) -o build/fuzz/fuzz_query fuzz/fuzz_query.c fuzz/inproc.c \
		src/cli/cli_common.c $(FUZZSRC) $(LIBS)
	@mkdir -p build/fuzz/work-request
	build/fuzz/fuzz_request -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		build/fuzz/work-request fuzz/corpus/request
	@for t in $(FUZZERS); do mkdir -p build/fuzz/work-$$t && \
		build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=60 \
		-artifact_prefix=build/fuzz/ build/fuzz/work-$$t fuzz/corpus/$$t \
		2>build/fuzz/run-$$t.log || { tail -n 60 build/fuzz/run-$$t.log; \
		exit 1; }; done

demo: all
	@sh scripts/demo.sh

bench: all build/bench/lookup build/bench/floor build/bench/rules build/bench/stats \
    build/bench/insight build/bench/engine build/bench/layout build/bench/loadfloor
	@sh scripts/deps.sh bench
	@sh bench/packed.sh
	@sh bench/run.sh
	@sh bench/plan.sh
	@sh bench/api.sh
	@sh bench/quality.sh
	@sh bench/insight.sh
	@sh bench/reconcile.sh
	@sh bench/engine.sh
	@sh bench/pg.sh

build/rel/liblf.a: $(filter-out build/rel/cli/main.o,$(OBJS))
	rm -f $@
	ar rcs $@ $^

build/bench/rules: bench/rules.c bench/timing.c bench/timing.h build/rel/liblf.a
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $(BASE) -o $@ $< bench/timing.c build/rel/liblf.a $(LIBS)

build/bench/stats: bench/stats.c bench/timing.c bench/timing.h build/rel/liblf.a
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $(BASE) -o $@ $< bench/timing.c build/rel/liblf.a $(LIBS)

build/bench/lookup: bench/lookup.c build/rel/liblf.a
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $(BASE) -o $@ $< build/rel/liblf.a $(LIBS)

# issue 16: reconciliation and the what-if breakdown (bench/insight.sh)
build/bench/insight: bench/insight.c build/rel/liblf.a
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $(BASE) -o $@ $< build/rel/liblf.a $(LIBS)

# issue 17.4 / 16: statistics start-up and filtered reports (bench/engine.sh)
build/bench/engine: bench/engine.c bench/timing.c bench/timing.h build/rel/liblf.a
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $(BASE) -o $@ $< bench/timing.c build/rel/liblf.a $(LIBS)

build/bench/floor: bench/floor.c
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $(BASE) -o $@ $< -lsqlite3 -lpthread

include mk/web.mk

clean:
	rm -rf build liangfu web/vendor

-include $(OBJS:.o=.d) $(TOBJS:.o=.d)

# issue 17.1: survey layouts compared (bench/packed.sh)
build/bench/layout: bench/layout.c build/rel/liblf.a
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $(BASE) -o $@ $< build/rel/liblf.a $(LIBS)

build/bench/loadfloor: bench/loadfloor.c
	@mkdir -p build/bench
	$(CC) $(CFLAGS) $(BASE) -o $@ $< -lsqlite3
# ---- PostgreSQL (issue 18) ----
# A throwaway PostgreSQL 15 (tests/pg/pg.sh: initdb into a temporary
# folder, loopback port, stopped at the end even on failure) runs the
# PostgreSQL slice: init, seed (binary COPY), plan (the same plans and
# items) and stats give the same statistics JSON as SQLite; row-level
# security confines the app role.
build/test/test_pg_rls: tests/pg/test_pg_rls.c build/test/liblf.a
	$(CC) -O1 -g $(SAN) -DLF_TESTING $(BASE) -o $@ $< build/test/liblf.a $(LIBS)
build/test/test_pg_read: tests/pg/test_pg_read.c build/test/liblf.a
	$(CC) -O1 -g $(SAN) -DLF_TESTING $(BASE) -o $@ $< build/test/liblf.a $(LIBS)

# The unit tests below also run on the throwaway server (their store from
# tu_store_any(), LIANGFU_TEST_PG_URL): one test source, two backends.
# test_audit comes last: run.sh checks the log it leaves, and the tests
# before it write audit entries of their own.
PGUNITS := build/test/test_dbq build/test/test_users build/test/test_session_cache \
	build/test/test_feedback build/test/test_selfcode \
	build/test/test_reconcile build/test/test_supervise build/test/test_quality \
	build/test/test_plan_rows build/test/test_audit

pg-test: build/test/liangfu build/test/test_pg_rls build/test/test_pg_read $(PGUNITS) \
	build/test/test_put_single build/test/test_api
	@sh tests/pg/run.sh build/test/liangfu build/test/test_pg_rls build/test/test_pg_read $(PGUNITS)
