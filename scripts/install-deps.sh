#!/bin/sh
# Installs the Debian 12 packages Bantam needs to build, test and run (as root, or via sudo).
# Safe to run again: it installs only what is missing.
set -eu
packages="build-essential cmake pkg-config python3 libgtest-dev libsndfile1-dev
libjack-jackd2-dev jackd2 python3-jack-client clang-22 libclang-rt-22-dev
libasound2-dev libsamplerate0-dev alsa-utils libasound2-plugins libdbus-1-dev
dbus-daemon libglib2.0-bin python3-gi llvm
ardour ecasound fluidsynth timgm6mb-soundfont jack-capture jack-tools mpg123"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
