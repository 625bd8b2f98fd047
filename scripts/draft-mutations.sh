#!/bin/sh
# Bad input at scale: N mutated drafts (default a million) through every import parser and the
# draft checker, in a release build; prints the count, the rate and the slowest mutant.
#   scripts/draft-mutations.sh [N] [SEED]
set -eu
cd "$(dirname "$0")/.."
BONDSMITH_MUTATIONS=${1:-1000000} BONDSMITH_SEED=${2:-$(date +%s)} \
    cargo test --release --locked -p bondkit --test draft_mutations -- --nocapture
