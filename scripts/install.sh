# Shared by run.sh and test.sh: installs what is missing, on Debian or Ubuntu.
# Source it; it defines functions and changes nothing by itself.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# install_system_packages NAME...: apt-get install only the packages not installed yet.
install_system_packages() {
  local missing=()
  for name in "$@"; do
    dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" || missing+=("$name")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# Debian names the browser packages chromium and chromium-driver; Ubuntu chromium-browser
# and chromium-chromedriver.
browser_packages() {
  if grep -qi '^ID=ubuntu' /etc/os-release 2>/dev/null; then
    echo "chromium-browser chromium-chromedriver"
  else
    # The headless shell is Chromium's own browser for automated tests: the tests use it
    # where it is packaged (about a fifth less CPU a page than the full browser).
    echo "chromium chromium-driver chromium-headless-shell"
  fi
}

# WeasyPrint draws the passport PDF with Pango and needs a font; CairoSVG needs Cairo.
pdf_packages() {
  echo "libpango-1.0-0 libpangoft2-1.0-0 libcairo2 fonts-dejavu-core"
}

# make_venv EXTRAS: a virtual environment in .venv with the project installed (editable,
# so templates/, static/ and the content folders are used where they are).
make_venv() {
  local extras="$1"
  if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
    install_system_packages python3-venv
  fi
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extras}"
}

# The W3C Nu HTML checker, from the npm package vnu-jar (a Java program), for the accessibility
# gate's check of the HTML of every page (tests/browser/html_check.py). It goes in .venv/vnu,
# beside the test tools; --ignore-scripts skips the package's own download of a Java runtime.
VNU_VERSION="26.9.27"
install_html_checker() {
  command -v java >/dev/null 2>&1 || install_system_packages default-jre-headless
  command -v npm >/dev/null 2>&1 || install_system_packages npm
  local jar=".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar"
  if [ ! -f "$jar" ] || ! grep -q "\"version\": \"$VNU_VERSION\"" .venv/vnu/node_modules/vnu-jar/package.json; then
    npm install --prefix .venv/vnu --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
      "vnu-jar@$VNU_VERSION" >/dev/null
  fi
}
