# OnePlan: the same steps as scripts/setup and scripts/run (tests/test_dockerfile.py keeps them in step).

# 1. Front-end assets: GOV.UK Frontend with OnePlan's brand, and htmx, from the pinned npm packages.
FROM node:22-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY assets ./assets
RUN npm run --silent build

# 2. The service: a slim Python image, run as a non-root user, several workers.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ONEPLAN_ENVIRONMENT=production \
    ONEPLAN_DATA_DIR=/var/lib/oneplan \
    ONEPLAN_HOST=0.0.0.0 \
    ONEPLAN_WORKERS=4
WORKDIR /srv/oneplan
# WeasyPrint (PDFs of plans) draws text with Pango, in fonts for every script (as scripts/setup).
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation \
        fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /srv/oneplan oneplan \
    && install -d -o oneplan -g oneplan /var/lib/oneplan
COPY requirements/pip.txt requirements/app.txt ./requirements/
RUN python -m pip install --no-cache-dir --require-hashes -r requirements/pip.txt \
    && python -m pip install --no-cache-dir --require-hashes -r requirements/app.txt
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY templates ./templates
RUN python -m pip install --no-cache-dir --no-deps -e .
COPY --from=assets /src/static ./static
USER oneplan
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# ONEPLAN_SECRET_KEY and ONEPLAN_DATABASE_URL come from the deployment; production refuses the default secret.
CMD ["sh", "-c", "oneplan db upgrade && exec oneplan serve"]
