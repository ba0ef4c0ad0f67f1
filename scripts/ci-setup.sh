#!/bin/sh
# Installs the system tools the test suite drives for real: OpenSSH's sshd (the SFTP server of
# the LiveIntent upload tests), ssh-keygen (throw-away keys), bzip2/lbzip2 (DataX files and
# independent checks of .bz2 outputs), unzip and gzip (independent checks of LiveIntent files). Does nothing when they are already there, so CI can call it on every run.
set -eu

missing=""
[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"
command -v bzip2 >/dev/null 2>&1 || missing="$missing bzip2"
# lbzip2 writes and reads .bz2 on both cores (the DataX sink prefers it, bzip2 is the fallback).
command -v lbzip2 >/dev/null 2>&1 || missing="$missing lbzip2"
# unzip -t and unzip -p read LiveIntent's zip outputs back in the tests.
command -v unzip >/dev/null 2>&1 || missing="$missing unzip"
command -v gzip >/dev/null 2>&1 || missing="$missing gzip"

if [ -z "$missing" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ci-setup: missing:$missing and no apt-get to install them" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "ci-setup: installing$missing" >&2
$SUDO apt-get update -qq
# No service start: policy-rc.d keeps dpkg from launching sshd; the tests start their own.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
# sshd refuses to start without its privilege-separation directory.
$SUDO mkdir -p /run/sshd
