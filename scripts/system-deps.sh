#!/usr/bin/env bash
# Make sure the Debian packages sopbook needs are present; install them when we may (root or
# passwordless sudo), otherwise stop and say exactly what to install.
#   build: a CJK font (WeasyPrint silently draws tofu boxes without one), Pango for WeasyPrint and
#          HarfBuzz-Subset (without it WeasyPrint subsets the 20 MB CJK font with fontTools:
#          15-20 s a card instead of under one)
#   test:  the above plus chromium (browser tests through Playwright), poppler-utils (pdffonts,
#          pdftoppm), zbar-tools (zbarimg reads the cards' QR codes) and qpdf (checks every card
#          and sheet is a well-formed PDF)
set -euo pipefail
what="${1:-build}"

need=()
# cards are set in a sans-serif CJK face; a serif-only Chinese font does not count
fc-list :lang=zh family 2>/dev/null | grep -qi 'sans\|hei' || need+=(fonts-noto-cjk)
command -v fc-list >/dev/null || need+=(fontconfig)
# The libraries WeasyPrint dlopen()s, as the dynamic linker lists them. ldconfig lives in /sbin,
# outside a user's PATH on Debian; awk reads the whole list (an early exit, as grep -q does,
# can kill ldconfig with SIGPIPE and, under pipefail, report a present library as missing).
has_lib() {
  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | awk -v lib="$1" '$1 == lib {found = 1} END {exit !found}'
}
has_lib libpangoft2-1.0.so.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
has_lib libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
if [ "$what" = test ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v pdftoppm >/dev/null || need+=(poppler-utils)
  command -v npm >/dev/null || need+=(nodejs npm)  # the YAML language server the editor tests drive
  command -v zbarimg >/dev/null || need+=(zbar-tools)  # the QR codes on the cards are decoded in the tests
  command -v qpdf >/dev/null || need+=(qpdf)  # qpdf --check judges the cards' and sheets' structure
fi
[ ${#need[@]} -eq 0 ] && exit 0

echo "sopbook: missing system packages: ${need[*]}" >&2
if command -v apt-get >/dev/null; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
  if [ "$sudo" != none ]; then
    echo "sopbook: installing them with apt-get" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    fc-cache -f >/dev/null 2>&1 || true
    exit 0
  fi
fi
echo "sopbook: please install them, e.g.: sudo apt-get install ${need[*]}" >&2
echo "sopbook: then run make again." >&2
exit 1
