FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The bot writes logs and backups into bind-mounted folders; match the uid that owns them
# on the host (the first user of most Linux hosts is 1000).
ARG APP_UID=1000
RUN useradd --create-home --uid "${APP_UID}" bot

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=bot:bot config.py main.py ./
COPY --chown=bot:bot app ./app
RUN mkdir -p logs backups data exports && chown bot:bot logs backups data exports

USER bot
CMD ["python", "main.py"]
