#!/bin/sh
# Run each cmocka test binary given; fail if any fails (sanitizer reports,
# leaks included, make the binary exit non-zero). Prints a closing total.
pass=0
fail=0
for t in "$@"; do
	if "$t"; then
		pass=$((pass + 1))
	else
		echo "FAILED: $t" >&2
		fail=$((fail + 1))
	fi
done
echo "unit test programs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
