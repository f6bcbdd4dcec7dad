#!/usr/bin/env bash
# Every document the repository's files cite is in the repository: each `*.md` name written
# in a tracked file (README.md, docs/ENGINE.md, FORMAT.md §3, ...) must match a tracked file
# (by its path, or by the end of its path), and nothing points at a folder beside the
# checkout (a parent directory's "shared" folder, which a user's clone does not have). Run by
# scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

tracked=$(git ls-files)
status=0

beside="shared"
outside=$(git grep -n -I -E "\.\./${beside}/" -- . || true)
if [ -n "$outside" ]; then
    echo "references outside the repository:" >&2
    echo "$outside" >&2
    status=1
fi

# Names like docs/WORKLOAD.md or FORMAT.md; URLs are left out (other sites' documents), and
# so are the names below: a file of another repository cited with its repository
# (apache/iceberg's format/puffin-spec.md) and the reports the benchmark scripts write.
not_ours='^(format/puffin-spec\.md|rows(-N)?\.md|tmp/rows-[0-9]+\.md)$'
missing=""
while IFS= read -r ref; do
    [[ "$ref" =~ $not_ours ]] && continue
    if ! grep -qE "(^|/)${ref//./\\.}\$" <<<"$tracked"; then
        missing+="$ref"$'\n'
    fi
done < <(git grep -h -o -I -E '(^|[^A-Za-z0-9_./:-])[A-Za-z0-9_][A-Za-z0-9_./-]*\.md\b' -- . \
            ':!*.lock' ':!**/package-lock.json' ':!scripts/check-refs.sh' \
        | sed -E 's/^[^A-Za-z0-9_]//' | grep -v -E '^(https?|www)' | sort -u)
if [ -n "$missing" ]; then
    echo "documents cited but not in the repository:" >&2
    printf '%s' "$missing" | while IFS= read -r ref; do
        printf '  %s, cited in: %s\n' "$ref" "$(git grep -l -F "$ref" -- . | tr '\n' ' ')" >&2
    done
    status=1
fi

[ "$status" -eq 0 ] && echo "every cited document is in the repository"
exit "$status"
