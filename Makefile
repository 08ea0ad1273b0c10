# mod_oro — top-level build. `make help` lists the targets.
#
# Output goes to $(OUT) (out/ by default; out/asan for `make asan`), never next to
# the sources, so a normal and a sanitizer build can coexist.

OUT        ?= out
SANITIZE   ?=
VERSION    := $(shell cat VERSION)
APXS       ?= apxs
PROVE      ?= prove

APR_CFLAGS := $(shell apr-1-config --includes --cppflags 2>/dev/null) $(shell apu-1-config --includes 2>/dev/null)
APR_LIBS   := $(shell apu-1-config --link-ld 2>/dev/null) $(shell apr-1-config --link-ld 2>/dev/null)
JSON_CFLAGS:= $(shell pkg-config --cflags json-c 2>/dev/null)
JSON_LIBS  := $(shell pkg-config --libs json-c 2>/dev/null)

WARN       := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
ifeq ($(SANITIZE),1)
OPT        := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
SAN_LDFLAGS:= -fsanitize=address,undefined
else
OPT        := -O2 -g
SAN_LDFLAGS:=
endif
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE -fPIC $(OPT) $(WARN) -Ilib \
              -DORO_VERSION='"$(VERSION)"' -DORO_SOURCE_ROOT='"$(CURDIR)"' \
              $(APR_CFLAGS) $(JSON_CFLAGS) $(CFLAGS)
LIBS_ALL   := $(JSON_LIBS) $(APR_LIBS) -lpq -lmariadb -lrabbitmq -lxapian -lstdc++ -lm $(LDFLAGS)
# The search index's C++ shim (lib/search/*.cc): same options, C++17, no C-only warnings.
CXX        ?= g++
CXXFLAGS_ALL := -std=c++17 -D_GNU_SOURCE -fPIC $(OPT) $(filter-out -Wstrict-prototypes,$(WARN)) \
              -Ilib $(APR_CFLAGS) $(CXXFLAGS)

LIB_SRCS   := $(shell find lib -name '*.c' | sort)
LIB_CC_SRCS:= $(shell find lib -name '*.cc' | sort)
LIB_OBJS   := $(LIB_SRCS:%.c=$(OUT)/obj/%.o) $(LIB_CC_SRCS:%.cc=$(OUT)/obj/%.o)
CONS_SRCS  := $(shell find consumer -name '*.c' | sort)
CONS_OBJS  := $(CONS_SRCS:%.c=$(OUT)/obj/%.o)
CTL_SRCS   := $(shell find tools -name '*.c' | sort)
CTL_OBJS   := $(CTL_SRCS:%.c=$(OUT)/obj/%.o)
MOD_SRCS   := $(shell find mod_oro -name '*.c' | sort)
UNIT_SRCS  := $(shell find t/unit -name 'test_*.c' | sort)
UNIT_BINS  := $(UNIT_SRCS:t/unit/%.c=$(OUT)/t/%)
HEADERS    := $(shell find lib mod_oro consumer tools t/unit -name '*.h') mod_oro/exports.map

.PHONY: fuzz
.PHONY: all module asan deps web-deps run start stop status test test-unit test-integration \
        format format-check install clean bench help

all: $(OUT)/liboro.a $(OUT)/mod_oro.so $(OUT)/oro-consumer $(OUT)/oroctl

help:
	@echo "make run           deps, build, provision and run the whole stack in the foreground"
	@echo "make start|stop|status   the same stack in the background"
	@echo "make test          build, then unit + integration tests on every matrix leg"
	@echo "make asan          build everything with ASan+UBSan into out/asan"
	@echo "make test SANITIZE=1   run the test suite against the sanitizer build"
	@echo "make format-check  check formatting with .clang-format"
	@echo "make install       install mod_oro.so with apxs -i"
	@echo "make bench         run the benchmarks (results in docs/PERFORMANCE.md)"

$(OUT)/obj/%.o: %.c $(HEADERS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(OUT)/obj/%.o: %.cc $(HEADERS) Makefile
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS_ALL) -c -o $@ $<

$(OUT)/liboro.a: $(LIB_OBJS)
	@mkdir -p $(OUT)
	rm -f $@ && ar rcs $@ $^

$(OUT)/mod_oro.so: $(MOD_SRCS) $(HEADERS) $(OUT)/liboro.a Makefile.apxs
	$(MAKE) -f Makefile.apxs OUT=$(OUT) SANITIZE=$(SANITIZE) VERSION=$(VERSION)

module: $(OUT)/mod_oro.so

$(OUT)/oro-consumer: $(CONS_OBJS) $(OUT)/liboro.a
	$(CC) $(SAN_LDFLAGS) -o $@ $(CONS_OBJS) $(OUT)/liboro.a $(LIBS_ALL)

$(OUT)/oroctl: $(CTL_OBJS) $(OUT)/liboro.a
	$(CC) $(SAN_LDFLAGS) -o $@ $(CTL_OBJS) $(OUT)/liboro.a $(LIBS_ALL)

# Unit tests link liboro and the daemons' objects except their main().
UNIT_OBJS  := $(filter-out %/main.o,$(CONS_OBJS))

$(OUT)/t/%: t/unit/%.c $(OUT)/liboro.a $(UNIT_OBJS) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN_LDFLAGS) -o $@ $< $(UNIT_OBJS) $(OUT)/liboro.a $(LIBS_ALL) -lcmocka

asan:
	$(MAKE) OUT=out/asan SANITIZE=1 all

# libFuzzer targets (clang), run briefly by t/run-all before the legs.
FUZZ_BINS  := $(OUT)/fuzz/fuzz_search_query
FUZZ_BINS  += $(OUT)/fuzz/fuzz_mq_batch
fuzz: $(FUZZ_BINS)

$(OUT)/fuzz/fuzz_search_query: t/fuzz/fuzz_search_query.c lib/search/query_lex.c \
                               lib/search/query_parse.c $(HEADERS)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Wall -Wextra -Werror \
	    -Wno-unused-parameter -Ilib $(APR_CFLAGS) -o $@ t/fuzz/fuzz_search_query.c \
	    lib/search/query_lex.c lib/search/query_parse.c $(APR_LIBS) -lm

$(OUT)/fuzz/fuzz_mq_batch: t/fuzz/fuzz_mq_batch.c lib/mq/batch.c $(HEADERS)
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Wall -Wextra -Werror \
	    -Wno-unused-parameter -Ilib $(APR_CFLAGS) -o $@ t/fuzz/fuzz_mq_batch.c lib/mq/batch.c \
	    $(APR_LIBS) -lm

deps:
	@build/deps --check >/dev/null 2>&1 || build/deps

# swagger-ui for /api/doc, from npm into web/vendor/ (not committed).
web-deps:
	build/web-deps

run: deps web-deps all
	exec build/stack run

start: deps web-deps all
	build/stack start

stop:
	build/stack stop

status:
	build/stack status

# The whole suite: unit tests, then integration tests on each leg of the matrix.
test: deps web-deps
	@if [ "$(SANITIZE)" = 1 ]; then $(MAKE) asan; else $(MAKE) all; fi
	$(MAKE) unit-bins OUT=$(if $(filter 1,$(SANITIZE)),out/asan,$(OUT)) SANITIZE=$(SANITIZE)
	$(MAKE) fuzz OUT=$(if $(filter 1,$(SANITIZE)),out/asan,$(OUT))
	t/run-all $(if $(filter 1,$(SANITIZE)),out/asan,$(OUT))

unit-bins: $(UNIT_BINS) $(OUT)/t/jobtool $(OUT)/bench/mq_producer $(OUT)/t/amqptool

# Drives the job runner's C API for the integration tests (t/integration/12x-jobs-*.t).
$(OUT)/t/jobtool: t/helpers/jobtool.c $(OUT)/liboro.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN_LDFLAGS) -o $@ $< $(OUT)/liboro.a $(LIBS_ALL)

# Publishes raw AMQP messages for the amqp tests (t/integration/103-mq-amqp-batch.t).
$(OUT)/t/amqptool: t/helpers/amqptool.c $(OUT)/liboro.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN_LDFLAGS) -o $@ $< $(OUT)/liboro.a $(LIBS_ALL)

test-unit: all unit-bins
	t/run-all --unit-only $(OUT)

format:
	clang-format -i $$(git ls-files '*.c' '*.h' '*.cc')

format-check:
	@out=$$(for f in $$(git ls-files '*.c' '*.h' '*.cc'); do \
	    clang-format --dry-run --Werror "$$f" 2>&1 >/dev/null | head -1; done); \
	if [ -n "$$out" ]; then echo "$$out"; echo "format-check: run 'make format'"; exit 1; fi; \
	echo "format-check: ok"

install: $(OUT)/mod_oro.so
	$(MAKE) -f Makefile.apxs OUT=$(OUT) install

bench: all $(OUT)/bench/mq_producer
	bench/run
	bench/mq | tee -a docs/PERFORMANCE.md

# bench/mq's steady-state producer (single-message transactions through oro_mq_send);
# t/integration/102-mq-coalesce.t runs it too, so unit-bins builds it.
$(OUT)/bench/mq_producer: bench/mq_producer.c $(OUT)/liboro.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN_LDFLAGS) -o $@ $< $(OUT)/liboro.a $(LIBS_ALL)

clean:
	rm -rf out mod_oro/*.lo mod_oro/*.o mod_oro/*.slo mod_oro/.libs mod_oro/*/*.lo mod_oro/*/*.o mod_oro/*/*.slo mod_oro/*/.libs
