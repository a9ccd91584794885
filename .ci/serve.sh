#!/usr/bin/env bash
# Sets up a fresh machine, builds TapRain in release mode and serves it on localhost:3000 with
# SQLite under ./data. Extra arguments go to `taprain serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
# --precompress makes cargo-leptos finish the site (and its .gz/.br copies) before it compiles
# the server, which then embeds the site: target/release/taprain runs from any folder.
cargo leptos build --release --precompress
cat <<'MSG'

TapRain is built. Create the first admin in another terminal (from this directory):

    target/release/taprain admin create --email you@example.com      # asks for a password
    target/release/taprain admin token --email you@example.com       # an API token, shown once

then sign in at http://127.0.0.1:3000/login

MSG
exec target/release/taprain serve "$@"
