# qa-suite with all three engines (Debian chromium, firefox-esr, WebKitGTK) and the rule engines, run as a non-root
# user. Build: docker build -t qa-suite .
# Run:   docker run --rm -v qa-reports:/reports_out qa-suite audit https://staging.example.jp/
# The run folders go to the /reports_out volume (QA_OUT); the project folder (qa.yaml, accepted.yaml) mounts on /work.
# Every example: docs/ci.md.
FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    QA_ENGINES_DIR=/opt/qa-engines \
    QA_OUT=/reports_out \
    PATH=/opt/qa/bin:$PATH

# Debian's Python 3.11 (the one python3-gi, which WebKitGTK's driver needs, belongs to), and Node.js/npm for the
# rule engines' pinned packages.
RUN apt-get update -q \
    && apt-get install -y -q --no-install-recommends python3 python3-venv ca-certificates nodejs npm \
    && rm -rf /var/lib/apt/lists/*

COPY . /src
# The engines and their libraries, the CJK fonts, the spelling dictionaries; then the rule engines into
# QA_ENGINES_DIR (pinned by version and integrity hash, scripts/install-system-deps.sh and qa/data/rule-engines.json).
RUN bash /src/scripts/install-system-deps.sh browsers \
    && rm -rf /var/lib/apt/lists/* /root/.npm \
    && test -n "$(ls -A "$QA_ENGINES_DIR")"

# The suite and its whole pinned dependency tree; the [spelling] extra for the language family.
RUN python3 -m venv /opt/qa \
    && /opt/qa/bin/pip install --no-cache-dir -c /src/constraints.txt "/src[spelling]" \
    && rm -rf /src

# Xvfb (WebKitGTK's private display) needs the X socket folder, which only root may create.
RUN useradd --create-home --uid 1000 --shell /usr/sbin/nologin qa \
    && mkdir -p /work /reports_out /tmp/.X11-unix \
    && chmod 1777 /tmp/.X11-unix \
    && chown qa:qa /work /reports_out
USER qa
WORKDIR /work
# The run folders: a named volume, or a host folder (-v "$PWD/reports_out:/reports_out").
VOLUME ["/reports_out"]

ENTRYPOINT ["qa"]
CMD ["--help"]
