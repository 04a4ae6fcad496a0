#!/usr/bin/env bash
# Keeps the shared build cache ($CARGO_TARGET_DIR) bounded: every build of a changed crate leaves
# a new test binary beside the old ones, and incremental state grows with each edit. On a machine
# whose disk is shared with that cache this once filled the disk (91 GB) and CI failed with "No
# space left on device". Removed here, before CI builds:
# - incremental state once it passes 4 GB (a cache only: the next build is a little slower);
# - test, bench and example executables, and evmech's own libraries, not written for two days
#   (cargo notices a missing output and rebuilds it when it is needed again).
set -euo pipefail
source "$(dirname "$0")/env.sh"
target="$CARGO_TARGET_DIR"
[ -d "$target" ] || exit 0
for profile in debug release; do
    inc="$target/$profile/incremental"
    if [ -d "$inc" ] && [ "$(du -sk "$inc" | cut -f1)" -gt $((4 * 1024 * 1024)) ]; then
        rm -rf "$inc"
    fi
    for dir in deps examples; do
        [ -d "$target/$profile/$dir" ] || continue
        find "$target/$profile/$dir" -maxdepth 1 -type f -mtime +2 \
            \( -executable -o -name '*evmech*' \) -delete
    done
done
