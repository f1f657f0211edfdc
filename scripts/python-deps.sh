#!/usr/bin/env bash
# Install sopbook with its test tools into a virtualenv (default .venv), saying what it does.
# uv resolves and installs the ~60 packages several times faster than pip (about 20 s instead of
# 90 s on a fresh machine); pip installs it, and pip does the work whenever uv cannot.
set -euo pipefail
venv="${1:-.venv}"
py="$venv/bin/python"
uv="$venv/bin/uv"

echo "sopbook: installing sopbook and its Python packages into $venv/" >&2
if [ ! -x "$uv" ] && [ "${SOPBOOK_NO_UV:-}" != 1 ]; then
  echo "sopbook: fetching uv, the fast installer (pip install uv)" >&2
  "$py" -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1 || echo "sopbook: no uv; pip will do" >&2
fi

if [ -x "$uv" ] && [ "${SOPBOOK_NO_UV:-}" != 1 ]; then
  # uv reads no pip configuration: carry over this machine's package indexes, wheel folders,
  # constraints and CA bundle (pip.conf, PIP_* variables), leaving out the folders that are not
  # there, which pip only warns about and uv refuses.
  args=()
  usable() { case "$1" in file://*) [ -e "${1#file://}" ];; /*|./*) [ -e "$1" ];; *) true;; esac; }
  while IFS= read -r line; do
    key="${line%%=*}"; value="${line#*=}"; value="${value#\'}"; value="${value%\'}"
    for item in $value; do
      usable "$item" || continue
      case "${key##*.}" in
        index-url) args+=(--default-index "$item") ;;
        extra-index-url) args+=(--index "$item") ;;
        find-links) args+=(--find-links "$item") ;;
        constraint) args+=(--constraints "$item") ;;
        cert) export SSL_CERT_FILE="$item" ;;
      esac
    done
  done < <("$py" -m pip config list 2>/dev/null || true)
  # --compile-bytecode: pip's default, not uv's. Without the .pyc files every `sopbook` run
  # compiles WeasyPrint, MkDocs and Material again (2-4 s) wherever Python may not write them.
  if "$uv" pip install --python "$py" --compile-bytecode ${args[@]+"${args[@]}"} -e '.[test]'; then
    exit 0
  fi
  echo "sopbook: uv could not install them; installing with pip instead" >&2
fi

# Not --quiet: pip names each package as it collects it, so the minutes it takes are not silent.
"$py" -m pip install --disable-pip-version-check --progress-bar on -e '.[test]'
