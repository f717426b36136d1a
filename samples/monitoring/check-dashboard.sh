#!/usr/bin/env bash
# Checks the Grafana dashboard for real: starts the Spring sample on a fresh LocalCluster, Debian's Prometheus
# (apt-get install prometheus) scraping it with prometheus.yml and alert-rules.yml, drives traffic and a failover
# (SIGKILL of the primary, Haven promotes a replica), then evaluates every panel's PromQL against Prometheus and
# fails when one returns no data. Not part of CI: it takes about two minutes and needs the prometheus package.
#
#   samples/monitoring/check-dashboard.sh            (from the repository root)
#
# Ports: the sample on APP_PORT (18080), Prometheus on PROM_PORT (9099), both on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
APP_PORT=${APP_PORT:-18080}
PROM_PORT=${PROM_PORT:-9099}
command -v prometheus >/dev/null || { echo "prometheus not found: apt-get install prometheus" >&2; exit 2; }
command -v promtool >/dev/null || { echo "promtool not found: apt-get install prometheus" >&2; exit 2; }

work=$(mktemp -d)
app_pid=""
prom_pid=""
cleanup() {
    [ -n "$app_pid" ] && { echo quit >&3 2>/dev/null || true; sleep 5; kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; }
    [ -n "$prom_pid" ] && { kill "$prom_pid" 2>/dev/null || true; wait "$prom_pid" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT

promtool check rules samples/monitoring/alert-rules.yml

# the sample on a fresh cluster; its console (kill, quit) is fed through a fifo
mkfifo "$work/console"
./mvnw -B -q -o -pl samples/spring-boot-app -am test-compile exec:java@app \
    -Dexec.args="--server.port=$APP_PORT --server.address=127.0.0.1" < "$work/console" > "$work/app.log" 2>&1 &
app_pid=$!
exec 3>"$work/console"
echo "waiting for the sample on port $APP_PORT (log: $work/app.log)"
for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$APP_PORT/actuator/health" >/dev/null 2>&1 && break
    kill -0 "$app_pid" 2>/dev/null || { cat "$work/app.log"; echo "the sample did not start" >&2; exit 1; }
    sleep 1
done
curl -sf "http://127.0.0.1:$APP_PORT/actuator/health" >/dev/null

# Prometheus with the sample's configuration, pointed at this sample, scraping every second
sed -e "s/localhost:8080/127.0.0.1:$APP_PORT/" -e "s/scrape_interval: 5s/scrape_interval: 1s/" \
    -e "s/evaluation_interval: 5s/evaluation_interval: 1s/" samples/monitoring/prometheus.yml > "$work/prometheus.yml"
cp samples/monitoring/alert-rules.yml "$work/"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" > "$work/prometheus.log" 2>&1 &
prom_pid=$!

traffic() {
    for i in $(seq 1 "$1"); do
        curl -s -XPOST -H 'Content-Type: application/json' -d "{\"text\":\"note $i\"}" "http://127.0.0.1:$APP_PORT/notes" >/dev/null || true
        curl -s "http://127.0.0.1:$APP_PORT/notes" >/dev/null || true
    done
}
traffic 50
sleep 5
echo "killing the primary; Haven promotes a replica"
echo kill >&3
for _ in $(seq 1 30); do traffic 5; sleep 1; done
sleep 5

echo "rules loaded: $(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/rules" | python3 -c 'import json,sys; print(sum(len(g["rules"]) for g in json.load(sys.stdin)["data"]["groups"]))')"
# fenced, failover-refused and retries count events that a clean SIGKILL and promotion need not cause
python3 samples/monitoring/check-dashboard.py --prometheus "http://127.0.0.1:$PROM_PORT" --range 10m --rate 30s \
    --expect-positive "Failovers (range)" "Promotions (range)" "Primary" "Readable replicas" \
    --allow-empty 'type="fenced"' 'type="failover-refused"' haven_statement_retries_total
