#!/bin/bash
# The Grafana dashboard and the Prometheus scrape job in docker/ (no Docker
# engine here): the files parse, compose mounts what exists, the dashboard
# uses the provisioned datasource, and every metric it queries is one a
# running serve exports at /metrics.
. "$(dirname "$0")/lib.sh"
D=docker
DASH=$D/grafana/dashboards/rgmon.json
python3 - "$D" "$WORK" >"$WORK/static.out" 2>&1 <<'EOF'
import json, os, re, sys, yaml
d = sys.argv[1]
compose = yaml.safe_load(open(f"{d}/compose.yaml"))
prom = yaml.safe_load(open(f"{d}/prometheus/prometheus.yml"))
ds = yaml.safe_load(open(f"{d}/grafana/provisioning/datasources/prometheus.yaml"))
prov = yaml.safe_load(open(f"{d}/grafana/provisioning/dashboards/rgmon.yaml"))
dash = json.load(open(f"{d}/grafana/dashboards/rgmon.json"))
svc = compose["services"]
def check(name, cond):
    print(("ok - " if cond else "not ok - ") + name)
check("compose has prometheus and grafana services", "prometheus" in svc and "grafana" in svc)
for name in ("prometheus", "grafana"):
    for v in svc[name].get("volumes", []):
        src = v.split(":")[0]
        if src.startswith("./"):
            check(f"{name} mounts {src}, which exists", os.path.exists(os.path.join(d, src)))
http = [a for a in svc["rgmon"]["command"] if a.startswith("--http=")][0].rsplit(":", 1)[1]
targets = [t for job in prom["scrape_configs"] if job["job_name"] == "rgmon" for sc in job["static_configs"] for t in sc["targets"]]
check("the scrape job targets the rgmon service's port", targets == [f"rgmon:{http}"])
check("the scrape job reads /metrics", [j.get("metrics_path", "/metrics") for j in prom["scrape_configs"]] == ["/metrics"])
uid = ds["datasources"][0]["uid"]
check("the datasource is the compose prometheus", ds["datasources"][0]["url"] == "http://prometheus:9090")
mounted = [v.split(":")[1] for v in svc["grafana"]["volumes"] if v.startswith("./grafana/dashboards")]
check("the dashboard provider reads the mounted dashboards", prov["providers"][0]["options"]["path"] in mounted)
panels = [p for p in dash["panels"] if p["type"] != "row"]
check("panel ids are unique", len({p["id"] for p in dash["panels"]}) == len(dash["panels"]))
check("every panel queries the provisioned datasource", all(p["datasource"]["uid"] == uid and all(t["datasource"]["uid"] == uid for t in p["targets"]) for p in panels))
titles = " | ".join(p["title"] for p in panels).lower()
for want in ("ingest rate", "lag per partition", "commit latency", "alerts by level and status", "overdue", "outbox backlog", "http requests by route", "http requests by status", "ready"):
    check(f"a panel shows {want}", want in titles)
exprs = [t["expr"] for p in panels for t in p["targets"]] + [v["query"]["query"] for v in dash["templating"]["list"]]
names = sorted({re.sub(r"_(bucket|sum|count)$", "", m) for e in exprs for m in re.findall(r"\brgmon_[a-z_]+", e)})
open(sys.argv[2] + "/names", "w").write("\n".join(names) + "\n")
EOF
cat "$WORK/static.out"
grep -q '^not ok\|Traceback' "$WORK/static.out" && FAILED=$((FAILED + 1))
check "the dashboard names metrics" true "$([ "$(wc -l <"$WORK/names")" -ge 12 ] && echo true)"

# Every metric the dashboard queries, against a running serve's /metrics.
start_broker 2
PORT=$(free_port)
start_serve "$WORK/s.db" "$PORT"
wait_ready "$PORT" && ok "serve becomes ready" || fail "serve becomes ready"
curl -s -o /dev/null "http://127.0.0.1:$PORT/v1/alerts" # one HTTP request of each kind counted
curl -s "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics"
awk '$1 == "#" && $2 == "TYPE" {print $3}' "$WORK/metrics" | sort -u >"$WORK/exported"
while read -r m; do
  grep -qx "$m" "$WORK/exported" && ok "serve exports $m" || fail "serve exports $m (the dashboard queries it)"
done <"$WORK/names"
finish
