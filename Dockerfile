# duban: the bot and its command line. Build: docker build -t duban .
# Run:   docker run -d -v duban-data:/data -e DUBAN_BOT_TOKEN=... -e DUBAN_ADMIN_IDS=... duban
# Import: docker run --rm -v duban-data:/data -v $PWD:/in duban import /in/plan.docx
# Backup while it runs: docker exec CONTAINER duban backup /data/duban-backup.db
#          and take it off the volume: docker cp CONTAINER:/data/duban-backup.db .
# Restore: docker stop CONTAINER, then
#          docker run --rm -v duban-data:/data duban restore /data/duban-backup.db
# Check:  docker exec CONTAINER duban doctor   (every check, the Bot API included)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DUBAN_DATABASE=/data/duban.db \
    MPLCONFIGDIR=/app/.mplconfig \
    TZ=Asia/Shanghai

# A CJK font for the digest's chart (the pip package in pyproject is the fallback).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk tzdata \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY plans ./plans
COPY render ./render
COPY storage ./storage
COPY services ./services
COPY handlers ./handlers
COPY bot ./bot
COPY sandbox ./sandbox
COPY examples ./examples
RUN pip install . \
    && useradd --create-home --uid 10001 duban \
    && mkdir -p /data "$MPLCONFIGDIR" \
    && python -c "import matplotlib.font_manager as f; f.findfont('Noto Sans CJK SC')" \
    && python -c "from render.chart import find_cjk_font; p = find_cjk_font(); assert p, 'no CJK font'; print(p)" \
    && chown -R duban /data "$MPLCONFIGDIR"

USER duban
VOLUME ["/data"]
# Healthy = settings load, the database is sound (quick_check, schema, WAL), the disk has room,
# the chart has its font, chinesecalendar knows the plan years and the schedule can send.
# --quick leaves out the Bot API: Telegram being unreachable is not this container's fault and
# restarting it cures nothing (the bot retries by itself); a bad token stops `duban run` at start.
HEALTHCHECK --interval=5m --timeout=30s --start-period=1m --retries=3 \
    CMD ["duban", "doctor", "--quick"]
# Webhook mode (DUBAN_WEBHOOK_URL) listens here (DUBAN_WEBHOOK_LISTEN, default 0.0.0.0:8080);
# long polling, the default, needs no port.
EXPOSE 8080
ENTRYPOINT ["duban"]
CMD ["run"]
