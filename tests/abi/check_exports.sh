#!/usr/bin/env bash
# check_exports.sh LIBRARY GOLDEN_LIST
#
# ABI check for our libjack.so.0: it must export every name in GOLDEN_LIST (the jack_*/JACK_*
# dynamic symbols of Debian's libjack-jackd2), export the data symbols as data objects and the
# functions as code, export nothing else (no C++ or helper symbols leak), be named libjack.so.0,
# and never depend on another libjack (Debian's or any other).
#
# The golden list is data, regenerated only when the reference version changes:
#   nm -D --defined-only /usr/lib/x86_64-linux-gnu/libjack.so.0 \
#     | awk '$3 ~ /^(jack_|JACK_)/ {print $3}' | LC_ALL=C sort > libjack-jackd2-1.9.21.symbols
#
# Exit status: 0 when every check passes, 1 when any fails, 2 on bad usage or missing tools.

set -euo pipefail
export LC_ALL=C

readonly me=abi_exports
NM=${NM:-nm}
READELF=${READELF:-readelf}
LDD=${LDD:-ldd}

usage() {
    echo "usage: $0 LIBRARY GOLDEN_LIST" >&2
    exit 2
}

[[ $# -eq 2 ]] || usage
lib=$1
golden=$2
[[ -f $lib && -r $lib ]] || { echo "$me: cannot read library '$lib'" >&2; exit 2; }
[[ -f $golden && -r $golden ]] || { echo "$me: cannot read golden list '$golden'" >&2; exit 2; }
for tool in "$NM" "$READELF" "$LDD"; do
    command -v "$tool" >/dev/null || { echo "$me: '$tool' not found" >&2; exit 2; }
done

tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT

failures=0
fail() {
    echo "$me: FAIL: $*" >&2
    failures=$((failures + 1))
}
# Prints a heading and then each line of a file, indented.
list() {
    local heading=$1 file=$2
    echo "$heading" >&2
    sed 's/^/    /' "$file" >&2
}

# "name type" for every defined dynamic symbol; any symbol version suffix is dropped.
"$NM" -D --defined-only "$lib" >"$tmp/nm" || { echo "$me: $NM failed on '$lib'" >&2; exit 2; }
awk 'NF >= 3 { name = $3; sub(/@.*/, "", name); print name, $2 }' "$tmp/nm" | sort -u \
    >"$tmp/exports"
cut -d' ' -f1 "$tmp/exports" | sort -u >"$tmp/names"
grep -v -e '^[[:space:]]*$' -e '^#' "$golden" | sort -u >"$tmp/golden"

golden_count=$(wc -l <"$tmp/golden")
[[ $golden_count -gt 0 ]] || { echo "$me: golden list '$golden' is empty" >&2; exit 2; }

# 1. Every golden name is exported.
comm -23 "$tmp/golden" "$tmp/names" >"$tmp/missing"
missing_count=$(wc -l <"$tmp/missing")
if [[ $missing_count -gt 0 ]]; then
    fail "$missing_count of $golden_count JACK symbols are not exported"
    list "  missing:" "$tmp/missing"
fi

# 2. Data symbols are data objects, functions are code. JACK's data symbols are the metadata keys
#    and the two logging hooks; nm types: B/D/G/R/S/V data, T/W/i code.
awk 'NR == FNR { want[$1] = 1; next } ($1 in want)' "$tmp/golden" "$tmp/exports" >"$tmp/found"
awk '$1 ~ /^JACK_METADATA_/ || $1 == "jack_error_callback" || $1 == "jack_info_callback"' \
    "$tmp/found" >"$tmp/data"
awk '!($1 ~ /^JACK_METADATA_/ || $1 == "jack_error_callback" || $1 == "jack_info_callback")' \
    "$tmp/found" >"$tmp/code"
awk '$2 !~ /^[BDGRSV]$/ { print $1 " (nm type " $2 ")" }' "$tmp/data" >"$tmp/bad_data"
if [[ -s $tmp/bad_data ]]; then
    fail "data symbols not exported as data objects"
    list "  expected nm type B, D, G, R, S or V:" "$tmp/bad_data"
fi
awk '$2 !~ /^[TWi]$/ { print $1 " (nm type " $2 ")" }' "$tmp/code" >"$tmp/bad_code"
if [[ -s $tmp/bad_code ]]; then
    fail "function symbols not exported as code"
    list "  expected nm type T, W or i:" "$tmp/bad_code"
fi

# 3. Nothing but jack_*/JACK_* is exported.
grep -v -E '^(jack_|JACK_)' "$tmp/names" >"$tmp/leaks" || true
if [[ -s $tmp/leaks ]]; then
    fail "$(wc -l <"$tmp/leaks") symbols other than jack_*/JACK_* are exported"
    list "  leaked:" "$tmp/leaks"
fi

# 4. Linkage: our SONAME is libjack.so.0, and no libjack* (libjack, libjackserver, libjacknet,
#    Debian's or any other) is NEEDED, directly or through a dependency (ldd resolves the tree).
"$READELF" -d "$lib" >"$tmp/dynamic" || { echo "$me: $READELF failed on '$lib'" >&2; exit 2; }
soname=$(sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p' "$tmp/dynamic")
[[ $soname == libjack.so.0 ]] || fail "SONAME is '${soname:-<none>}', expected 'libjack.so.0'"
sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p' "$tmp/dynamic" | grep '^libjack' >"$tmp/needed_jack" ||
    true
if [[ -s $tmp/needed_jack ]]; then
    fail "the library NEEDS a libjack"
    list "  NEEDED:" "$tmp/needed_jack"
fi
if "$LDD" "$lib" >"$tmp/ldd" 2>&1; then
    self=$(readlink -f -- "$lib")
    : >"$tmp/ldd_jack"
    # Lines are "soname => path (address)" or, for the loader and vdso, "path (address)".
    while read -r dep arrow path _; do
        [[ $arrow == "=>" ]] || path=$dep
        [[ ${dep##*/} == libjack* || ${path##*/} == libjack* ]] || continue
        if [[ $path == /* && $(readlink -f -- "$path") == "$self" ]]; then continue; fi
        echo "$dep => $path" >>"$tmp/ldd_jack"
    done <"$tmp/ldd"
    # ldd lets this library stand in for a dependency's own "NEEDED libjack.so.0" (same SONAME),
    # so also read the NEEDED entries of every resolved dependency.
    while read -r dep arrow path _; do
        [[ $arrow == "=>" ]] || path=$dep
        [[ $path == /* && -f $path ]] || continue
        [[ $(readlink -f -- "$path") != "$self" ]] || continue
        "$READELF" -d "$path" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(libjack.*\)\].*/\1/p' |
            while read -r needed; do echo "$path NEEDS $needed"; done >>"$tmp/ldd_jack"
    done <"$tmp/ldd"
    if [[ -s $tmp/ldd_jack ]]; then
        fail "a libjack other than this library is loaded with it"
        list "  ldd:" "$tmp/ldd_jack"
    fi
else
    fail "ldd could not inspect the library"
    list "  ldd said:" "$tmp/ldd"
fi

# Notes, not failures: weak function definitions (harmless for the dynamic linker, but Debian's
# are all strong) and jack_*/JACK_* names the reference library does not have.
awk '$2 == "W" { print $1 }' "$tmp/code" >"$tmp/weak"
[[ ! -s $tmp/weak ]] || list "$me: note: weak (W) definitions, Debian's are strong (T):" "$tmp/weak"
grep -E '^(jack_|JACK_)' "$tmp/names" | comm -23 - "$tmp/golden" >"$tmp/extra" || true
[[ ! -s $tmp/extra ]] || list "$me: note: exported but not in the golden list:" "$tmp/extra"

echo "$me: $((golden_count - missing_count)) of $golden_count symbols exported"
if [[ $failures -gt 0 ]]; then
    echo "$me: FAILED ($failures check(s)) for $lib" >&2
    exit 1
fi
echo "$me: all checks passed for $lib"
