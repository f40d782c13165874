# duban: the bot and its command line. Build: docker build -t duban .
# Run:   docker run -d -v duban-data:/data -e DUBAN_BOT_TOKEN=... -e DUBAN_ADMIN_IDS=... duban
# Import: docker run --rm -v duban-data:/data -v $PWD:/in duban import /in/plan.docx
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DUBAN_DATABASE=/data/duban.db \
    TZ=Asia/Shanghai

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY plans ./plans
COPY storage ./storage
COPY handlers ./handlers
COPY bot ./bot
COPY sandbox ./sandbox
COPY examples ./examples
RUN pip install . && useradd --create-home --uid 10001 duban && mkdir -p /data && chown duban /data

USER duban
VOLUME ["/data"]
ENTRYPOINT ["duban"]
CMD ["run"]
