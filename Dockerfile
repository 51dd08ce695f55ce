# Casefile API and worker image (one image; docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# OCR for scanned pages: English and Urdu language data.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng tesseract-ocr-urd postgresql-client \
 && rm -rf /var/lib/apt/lists/*

# Non-root at run time. /data is created here, owned by that user, so a fresh named
# volume mounted there (CASEFILE_DATA_DIR) starts out writable.
RUN useradd --system --uid 10001 --user-group --create-home casefile \
 && mkdir -p /data && chown casefile:casefile /data

WORKDIR /app
# Only what the package needs: the build context also holds .venv, .stack and .git.
COPY pyproject.toml README.md ./
COPY core ./core
COPY cases ./cases
COPY access ./access
COPY storage ./storage
COPY ingest ./ingest
COPY search ./search
COPY api ./api
COPY workers ./workers
COPY cli ./cli
COPY migrations ./migrations
RUN pip install . && rm -rf build *.egg-info

USER casefile
EXPOSE 8000
CMD ["casefile", "serve", "--host", "0.0.0.0"]
