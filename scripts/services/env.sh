#!/usr/bin/env bash
# Print the CASEFILE_* settings for the local stack, for: eval "$(scripts/services/env.sh)"
# S3 keys follow the same overrides minio.sh uses, so the two always agree.
set -euo pipefail
emit() { printf 'export %s=%q\n' "$1" "$2"; }
emit CASEFILE_DATABASE_URL postgresql+psycopg://casefile:casefile@127.0.0.1:5432/casefile
emit CASEFILE_ELASTICSEARCH_URL http://127.0.0.1:9200
emit CASEFILE_S3_ENDPOINT http://127.0.0.1:9000
emit CASEFILE_S3_ACCESS_KEY "${CASEFILE_S3_ACCESS_KEY:-casefile}"
emit CASEFILE_S3_SECRET_KEY "${CASEFILE_S3_SECRET_KEY:-casefile-secret}"
emit CASEFILE_S3_BUCKET "${CASEFILE_S3_BUCKET:-casefile}"
emit CASEFILE_BROKER_URL redis://127.0.0.1:6379/0
