#!/bin/sh
# Runs tests/hostile/issue21.py against a fresh `ipstrack serve`, on the demo
# or on a national-size copy (600 specialists), one server at a time.
#
#   export CARGO_TARGET_DIR=/work/target-measure
#   cargo build --release -p ipstrack-cli
#   sh tests/hostile/issue21.sh demo      # → /tmp/m/demo.out, /tmp/m/demo.md
#   sh tests/hostile/issue21.sh national  # → /tmp/m/national.out, /tmp/m/national.md
set -eu
KIND=$1
B=${IPSTRACK:-${CARGO_TARGET_DIR:-target}/release/ipstrack}
M=/tmp/m
HERE=$(dirname "$0")
mkdir -p $M
rm -f $M/$KIND.sqlite $M/$KIND.sqlite-wal $M/$KIND.sqlite-shm
if [ "$KIND" = demo ]; then
    $B serve --demo --db $M/demo.sqlite --listen 127.0.0.1:8099 > $M/serve-demo.log 2>&1 &
    PID=$!
    sleep 10
    $B export --db $M/demo.sqlite --out $M/demo.json
    USERS="--attacker es1 --attacker2 es2 --real es9 --target-account lead"
else
    $B demo-data --specialists 600 --out $M/national.json
    $B import --data $M/national.json --db $M/national.sqlite
    # two specialists in post of one team, one of another team, a team lead
    python3 - $M/national.json > $M/national.users <<'EOF'
import json, sys, collections, datetime
b = json.load(open(sys.argv[1]))
today = datetime.date.today().isoformat()
def current(r):
    es = r.get("es")
    for t in sorted(r.get("transfers") or [], key=lambda t: t["date"]):
        if t["date"] <= today:
            es = t["es"]
    return es
load = collections.Counter(current(r) for r in b["referrals"] if not r.get("discharge"))
inpost = [s for s in b["staff"] if s["role"] == "es" and (s.get("end_date") or "9999") > today and load[s["id"]]]
by_team = collections.defaultdict(list)
for s in inpost:
    by_team[s["team"]].append(s["id"])
t1 = next(t for t, v in by_team.items() if len(v) >= 2)
t2 = next(t for t in by_team if t != t1)
lead = next(s["id"] for s in b["staff"] if s["role"] == "team_lead" and s["team"] == t1)
print(by_team[t1][0], by_team[t1][1], by_team[t2][0], lead)
EOF
    read A1 A2 R L < $M/national.users
    for u in $A1 $A2 $R; do echo ipstrack-demo | $B user add --db $M/national.sqlite --role es --staff $u $u; done
    echo ipstrack-demo | $B user add --db $M/national.sqlite --role team_lead --staff $L lead
    $B serve --db $M/national.sqlite --listen 127.0.0.1:8099 > $M/serve-national.log 2>&1 &
    PID=$!
    until grep -q "is serving" $M/serve-national.log; do sleep 1; done
    USERS="--attacker $A1 --attacker2 $A2 --real $R --target-account lead"
fi
TOKEN=$($B user token --days 1 --db $M/$KIND.sqlite $(echo $USERS | cut -d' ' -f2) | awk '{print $NF}')
python3 $HERE/issue21.py --port 8099 --pid $PID --db $M/$KIND.sqlite --log $M/serve-$KIND.log \
    --bundle $M/$KIND.json $USERS --token "$TOKEN" --markdown $M/$KIND.md --label $KIND 2>&1 | tee $M/$KIND.out
kill $PID
wait $PID || true
echo "server log: $(wc -c < $M/serve-$KIND.log) bytes"
