# mk/web.mk - the web app (web/) and its browser tests (tests/e2e/).
#
#   make web       npm ci in web/ when web/node_modules is missing or older
#                  than web/package-lock.json, then copies Preact, its hooks
#                  and htm into the git-ignored web/vendor/ (bare "preact"
#                  imports rewritten to the copied file: no bundler, and the
#                  CSP allows no inline import map), and ECharts for the
#                  statistics dashboard (web/vendor/echarts.mjs, imported
#                  only by that screen)
#   make test-e2e  builds liangfu and the web app, installs Debian's chromium
#                  and a CJK font if missing (scripts/deps.sh e2e), writes
#                  the rule engine's test vectors (build/e2e/expr_vectors,
#                  from tests/e2e/expr_vectors.c and liblf.a, into
#                  build/e2e/expr_vectors.jsonl), then runs tests/e2e/ with
#                  node's test runner: the skip-rule evaluator's table, the
#                  browser's rule evaluator against every C vector, then
#                  every screen in headless chromium (playwright-core,
#                  axe-core at 360x640 and 1280x800, screenshots into
#                  build/e2e/screenshots/)
#
# Nothing from npm is committed: web/node_modules, web/vendor and
# tests/e2e/node_modules are ignored.

WEB_NPM_CI   := npm ci --no-audit --no-fund --loglevel=error
WEB_MODULES  := web/node_modules/.package-lock.json
E2E_MODULES  := tests/e2e/node_modules/.package-lock.json
WEB_VENDOR   := web/vendor/preact.mjs web/vendor/hooks.mjs web/vendor/htm.mjs \
		web/vendor/echarts.mjs
E2E_VECTORS  := build/e2e/expr_vectors.jsonl
E2E_TESTS    := tests/e2e/unit.test.mjs tests/e2e/conformance.test.mjs \
		$(filter-out tests/e2e/unit.test.mjs tests/e2e/conformance.test.mjs \
		tests/e2e/guide.test.mjs,$(sort $(wildcard tests/e2e/*.test.mjs)))

.PHONY: web test-e2e

web: $(WEB_VENDOR)

# npm ci rewrites node_modules/.package-lock.json, so make reruns it only
# when it is missing or package-lock.json is newer
$(WEB_MODULES): web/package-lock.json
	cd web && $(WEB_NPM_CI)
	@touch $@

$(E2E_MODULES): tests/e2e/package-lock.json
	cd tests/e2e && $(WEB_NPM_CI)
	@touch $@

web/vendor/preact.mjs: $(WEB_MODULES)
	@mkdir -p web/vendor
	sed '/^\/\/# sourceMappingURL=/d' \
	    web/node_modules/preact/dist/preact.mjs > $@
	cp web/node_modules/preact/LICENSE web/vendor/preact.LICENSE

web/vendor/hooks.mjs: $(WEB_MODULES)
	@mkdir -p web/vendor
	sed -e 's|from *"preact"|from"./preact.mjs"|g' \
	    -e '/^\/\/# sourceMappingURL=/d' \
	    web/node_modules/preact/hooks/dist/hooks.mjs > $@.tmp
	@if grep -q 'from *"preact' $@.tmp; then \
		echo "web: a bare preact import is left in $@" >&2; \
		rm -f $@.tmp; exit 1; fi
	mv $@.tmp $@

web/vendor/htm.mjs: $(WEB_MODULES)
	@mkdir -p web/vendor
	cp web/node_modules/htm/dist/htm.mjs $@
	cp web/node_modules/htm/LICENSE web/vendor/htm.LICENSE

# ECharts' "common" build (bar, line, pie, grid, legend, title: 240 KB
# gzip, against 370 KB for the full echarts.esm.min.mjs) is shipped as UMD
# only; it becomes an ES module by giving it an `exports` object to fill
# and exporting that (`import('../vendor/echarts.mjs')).default` is the
# echarts namespace). It is not in the service worker's shell: only the
# dashboard fetches it, and the worker keeps it once fetched.
ECHARTS_DIST := web/node_modules/echarts/dist/echarts.common.min.js

web/vendor/echarts.mjs: $(WEB_MODULES)
	@mkdir -p web/vendor
	@if ! grep -q 'typeof exports&&"undefined"!=typeof module?e(exports)' \
	    $(ECHARTS_DIST); then \
		echo "web: $(ECHARTS_DIST) is not the expected UMD build" >&2; \
		exit 1; fi
	{ echo '// ECharts (Apache-2.0, see echarts.LICENSE and echarts.NOTICE):'; \
	  echo '// the UMD build of $(ECHARTS_DIST) as an ES module.'; \
	  echo 'const exports = {}, module = {};'; \
	  sed '/^\/\/# sourceMappingURL=/d' $(ECHARTS_DIST); \
	  echo; echo 'export default exports;'; } > $@.tmp
	mv $@.tmp $@
	cp web/node_modules/echarts/LICENSE web/vendor/echarts.LICENSE
	cp web/node_modules/echarts/NOTICE web/vendor/echarts.NOTICE

# The C engine's verdicts for the browser's copy of the rule language
# (tests/e2e/conformance.test.mjs). The data files are linked into
# liblf.a, so a changed catalog or policy table rewrites the vectors.
build/e2e/expr_vectors: tests/e2e/expr_vectors.c build/rel/liblf.a
	@mkdir -p build/e2e
	$(CC) $(CFLAGS) $(BASE) -o $@ $< build/rel/liblf.a $(LIBS)

$(E2E_VECTORS): build/e2e/expr_vectors
	build/e2e/expr_vectors $@

test-e2e: liangfu web $(E2E_MODULES) $(E2E_VECTORS)
	@sh scripts/deps.sh e2e
	@mkdir -p build/e2e
	rm -rf build/e2e/screenshots build/e2e/screens
	LIANGFU=./liangfu EXPR_VECTORS=$(E2E_VECTORS) \
		node --test --test-concurrency=1 --test-reporter=spec $(E2E_TESTS)
	node --test --test-reporter=spec tests/e2e/guide.test.mjs
