# Shared by scripts/run and scripts/test: install what a fresh Debian machine with Rust lacks.
# Sourced, not run.

set -euo pipefail

# apt-get only when something is missing, so repeated runs cost nothing.
install_debian_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return
    fi
    echo "==> installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# SQLite and zstd are compiled from source by their crates: a C toolchain is all they need.
install_build_dependencies() {
    command -v cargo >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs) first" >&2; exit 1; }
    install_debian_packages build-essential pkg-config
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
}

# The app window: WebKitGTK and friends to build it (Tauri 2 on Linux), Node for the UI,
# and Xvfb, xauth and WebKitWebDriver to run it headless under WebDriver in the tests.
APP_PACKAGES=(
    libwebkit2gtk-4.1-dev libjavascriptcoregtk-4.1-dev libsoup-3.0-dev libgtk-3-dev
    libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev file
)
WINDOW_TEST_PACKAGES=(xvfb xauth webkit2gtk-driver)
# The supervisors' web in a real browser: Debian's Chromium and its WebDriver, never a
# browser a tool downloads for itself. poppler-utils (pdftotext, pdftoppm, pdfinfo) reads the
# official report's PDF back in the server's and the web's tests.
WEB_TEST_PACKAGES=(chromium chromium-driver poppler-utils)

install_app_dependencies() {
    install_debian_packages "${APP_PACKAGES[@]}"
    command -v npm >/dev/null || install_debian_packages nodejs npm
    install_ui_packages
}

# From the lockfile only; `--ignore-scripts` because no package may fetch anything at install.
install_ui_packages() {
    if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
        echo "==> npm ci (ui/)"
        (cd ui && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    fi
}

# ui/dist is compiled into the app binary and ui/dist-web (the supervisors' web) into
# simpul-server's, so both are built before any cargo command that compiles those crates.
build_ui() {
    echo "==> building ui/ (vite)"
    (cd ui && npm run --silent build)
}

install_web_test_dependencies() {
    install_debian_packages "${WEB_TEST_PACKAGES[@]}"
}

install_window_test_dependencies() {
    install_debian_packages "${WINDOW_TEST_PACKAGES[@]}"
    local cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
    if ! command -v tauri-driver >/dev/null && [ ! -x "$cargo_bin/tauri-driver" ]; then
        echo "==> cargo install tauri-driver"
        cargo install tauri-driver --locked --version '^2' --quiet
    fi
}

# A throwaway PostgreSQL cluster for the tests: Debian's server, a temporary folder, a free
# port on loopback, trust authentication (loopback only) and no fsync (nothing in it
# outlives the run), TLS offered beside plain TCP. Stopped and removed when the calling script
# exits; the address is exported as SIMPUL_TEST_POSTGRES, and the authority that signed its
# certificate as SIMPUL_TEST_POSTGRES_CA, for which the suites' servers ask it over TLS.
start_test_postgres() {
    install_debian_packages postgresql openssl
    local bin port
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    PG_TEST_DIR=$(mktemp -d)
    PG_TEST_AS=()
    if [ "$(id -u)" -eq 0 ]; then
        # initdb refuses to run as root.
        chown postgres "$PG_TEST_DIR"
        PG_TEST_AS=(runuser -u postgres --)
    fi
    "${PG_TEST_AS[@]}" "$bin/initdb" --pgdata="$PG_TEST_DIR/data" --username=simpul \
        --auth=trust --encoding=UTF8 --no-sync >/dev/null
    make_test_certificates "$PG_TEST_DIR/data"
    "${PG_TEST_AS[@]}" "$bin/pg_ctl" --pgdata="$PG_TEST_DIR/data" --log="$PG_TEST_DIR/log" \
        --wait --silent start --options="-p $port -k $PG_TEST_DIR \
        -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400 \
        -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
    PG_TEST_CTL=("${PG_TEST_AS[@]}" "$bin/pg_ctl" --pgdata="$PG_TEST_DIR/data")
    trap stop_test_postgres EXIT
    export SIMPUL_TEST_POSTGRES="postgres://simpul@127.0.0.1:$port/postgres"
    export SIMPUL_TEST_POSTGRES_CA="$PG_TEST_DIR/data/ca.crt"
    echo "==> PostgreSQL for the tests at $SIMPUL_TEST_POSTGRES"
}

# A throwaway authority and the cluster's certificate signed by it, for 127.0.0.1, so the
# tests can connect with `sslmode=require` and check the certificate as a deployment does.
make_test_certificates() {
    local dir=$1
    (
        cd "$dir" &&
        openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=Simpul test CA" \
            -keyout ca.key -out ca.crt 2>/dev/null &&
        openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
            -keyout server.key -out server.csr 2>/dev/null &&
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext &&
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 7 \
            -extfile server.ext -out server.crt 2>/dev/null &&
        chmod 600 server.key &&
        chmod 644 ca.crt
    ) || { echo "the test cluster's certificates could not be made" >&2; return 1; }
    [ ${#PG_TEST_AS[@]} -eq 0 ] || chown postgres "$dir"/server.* "$dir"/ca.*
}

stop_test_postgres() {
    "${PG_TEST_CTL[@]}" --mode=fast --silent stop || true
    rm -rf "$PG_TEST_DIR"
}
