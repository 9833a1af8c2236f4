#!/bin/sh
# The apps see the engine's public headers and the domain's, nothing below: no include of
# documents, archive, workflows, storage or notify in apps/, and the CLI includes of the portal
# only Portal.h (not its HTML helpers, templates or router). Prints each offending line.
# Usage: check-app-includes.sh SOURCE_DIR/apps
apps=$1
status=0
if grep -rnE '#include[[:space:]]*[<"]avtaleflyt/(documents|archive|workflows|storage|notify)/' \
    "$apps"; then
    status=1
fi
for header in "$apps"/portal/*.h; do
    name=$(basename "$header")
    [ "$name" = Portal.h ] && continue
    if grep -nE "#include[[:space:]]*\"$name\"" "$apps"/cli/*; then
        status=1
    fi
done
exit $status
