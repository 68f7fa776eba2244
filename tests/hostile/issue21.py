"""Denial-of-service and existence-oracle attacks (issue 21) against a running
`ipstrack serve`, each while a real user signs in and loads their caseload.

Usage (docs/performance.md, "Attacks against a running server (issue 21)"):

    ipstrack serve --demo --db /tmp/m/demo.sqlite --listen 127.0.0.1:8099 > /tmp/m/serve.log 2>&1 &
    ipstrack export --db /tmp/m/demo.sqlite --out /tmp/m/demo.json
    python3 tests/hostile/issue21.py --port 8099 --pid $! --db /tmp/m/demo.sqlite \
        --log /tmp/m/serve.log --bundle /tmp/m/demo.json \
        --attacker ESA --attacker2 ESB --real ESC [--token TOKEN-OF-ESA]

ESA and ESB are specialists of one team, ESC a specialist (the real user)
of another; all sign in with --password (the demo's by default). The
attacks come from 127.0.0.1, the real user from 127.0.0.2 (Linux answers
the whole of 127/8 on loopback), as a stranger and a colleague would come
from two machines. For each attack it prints the attack's answers, the real
user's sign-in and caseload times before it (baseline) and during it, the
server's VmRSS and VmHWM, and whether the server still answers afterwards;
at the end, the same as Markdown tables (--markdown FILE).

Python 3 standard library only.
"""
import argparse, collections, datetime, errno, http.client, json, os, random, re, select
import socket, sqlite3, statistics, sys, threading, time, urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=8099)
ap.add_argument("--pid", type=int, required=True)
ap.add_argument("--db", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--bundle", required=True)
ap.add_argument("--attacker", required=True)
ap.add_argument("--attacker2", required=True)
ap.add_argument("--real", required=True)
ap.add_argument("--target-account", default="lead", help="the account whose password is guessed (not the real user's)")
ap.add_argument("--password", default="ipstrack-demo")
ap.add_argument("--token", default="", help="an API token of --attacker (ipstrack user token)")
ap.add_argument("--only", default="", help="attacks to run, e.g. 1,5,6 or 1c")
ap.add_argument("--hold", type=int, default=15, help="seconds attack 1 holds its connections")
ap.add_argument("--markdown", default="")
ap.add_argument("--label", default="")
A = ap.parse_args()
HOST, PORT = "127.0.0.1", A.port
ATTACK_SRC, REAL_SRC, CHECK_SRC = "127.0.0.1", "127.0.0.2", "127.0.0.3"
MB19 = 1_900_000
RESULTS = []  # (title, [(figure, value)])


def now():
    return time.monotonic()


def mem():
    out = {}
    try:
        for l in open(f"/proc/{A.pid}/status"):
            if l.startswith(("VmRSS", "VmHWM")):
                k, v = l.split(":")
                out[k] = int(v.split()[0]) // 1024
    except FileNotFoundError:
        return "server gone"
    return f"VmRSS {out['VmRSS']} MiB, VmHWM {out['VmHWM']} MiB"


def req(method, path, body=None, headers=None, src=ATTACK_SRC, timeout=30, conn=None):
    """One request; a fresh connection unless `conn` is given. Returns
    (status, headers as a lower-case dict, body text, seconds)."""
    c = conn or http.client.HTTPConnection(HOST, PORT, timeout=timeout, source_address=(src, 0))
    t = now()
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    dt = now() - t
    if conn is None:
        c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data.decode("utf-8", "replace"), dt


def cookie(h):
    return h["set-cookie"].split(";")[0]


def csrf_of(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


# 64 requests at once come from 4 addresses: one address may hold 32
# connections (Limits::per_address), and the brief's 64 would otherwise be
# cut at the connection, not at the password check.
CROWD = [f"127.0.0.{100 + i}" for i in range(4)]


def pre_sign_in(src=ATTACK_SRC):
    s, h, page, _ = req("GET", "/sign-in", src=src)
    return cookie(h), csrf_of(page)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def post_sign_in(pre, csrf, user, password, src=ATTACK_SRC, timeout=30):
    form = urllib.parse.urlencode({"username": user, "password": password, "csrf": csrf})
    return req("POST", "/sign-in", form, {"Cookie": pre, **FORM}, src=src, timeout=timeout)


def sign_in(user, src=ATTACK_SRC):
    pre, csrf = pre_sign_in(src)
    s, h, page, _ = post_sign_in(pre, csrf, user, A.password, src)
    assert s == 303, (user, s, page[:300])
    return cookie(h)


def still_up():
    try:
        s, _, _, dt = req("GET", "/sign-in", src=CHECK_SRC, timeout=10)
        return f"yes ({s} in {dt*1000:.0f} ms)"
    except Exception as e:
        return f"NO ({type(e).__name__}: {e})"


def ms(x):
    return f"{x*1000:.0f} ms" if x < 10 else f"{x:.1f} s"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


class RealUser(threading.Thread):
    """Signs in and loads the caseload, again and again, from 127.0.0.2."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples = []  # (started, kind, status, seconds)
        self.halt = threading.Event()

    def note(self, t, kind, status, dt):
        self.samples.append((t, kind, status, dt))

    def run(self):
        while not self.halt.is_set():
            t = now()
            try:
                s, h, page, dt = req("GET", "/sign-in", src=REAL_SRC)
                self.note(t, "sign-in page", s, dt)
                pre, csrf = cookie(h), csrf_of(page)
                t = now()
                s, h, page, dt = post_sign_in(pre, csrf, A.real, A.password, REAL_SRC)
                self.note(t, "sign-in", s, dt)
                if s == 303:
                    for _ in range(2):
                        t = now()
                        s, _, _, dt = req("GET", "/caseload", headers={"Cookie": cookie(h)}, src=REAL_SRC)
                        self.note(t, "caseload", s, dt)
            except Exception as e:
                self.note(t, "error", type(e).__name__, now() - t)
            time.sleep(0.2)

    def window(self, a, b):
        # wait for the request in flight at b to end, so a stuck one counts
        deadline = now() + 40
        while now() < deadline and not any(s[0] >= b for s in self.samples):
            time.sleep(0.1)
        return [s for s in self.samples if a <= s[0] < b]

    def summary(self, a, b):
        out = []
        w = self.window(a, b)
        for kind in ("sign-in page", "sign-in", "caseload"):
            xs = [s for s in w if s[1] == kind]
            if not xs:
                out.append(f"{kind}: none")
                continue
            ts = [s[3] for s in xs]
            st = collections.Counter(s[2] for s in xs)
            out.append(f"{kind}: n={len(xs)} median {ms(statistics.median(ts))}, max {ms(max(ts))}"
                       f" ({', '.join(f'{k}×{v}' for k, v in sorted(st.items(), key=str))})")
        errs = [s for s in w if s[1] == "error"]
        if errs:
            out.append(f"errors: {dict(collections.Counter(s[2] for s in errs))}, longest {ms(max(s[3] for s in errs))}")
        return "; ".join(out)


REAL = RealUser()


def attack(title, run, baseline=4.0):
    """Runs `run()` (returns a list of (figure, value)) between a baseline
    and an after-check; prints and records the figures."""
    print(f"\n== {title}", flush=True)
    b0 = now()
    time.sleep(baseline)
    m0 = mem()
    a0 = now()
    figures = run()
    a1 = now()
    figures = [("attack duration", f"{a1-a0:.1f} s")] + figures
    figures.append(("real user before (baseline)", REAL.summary(b0, a0)))
    figures.append(("real user during", REAL.summary(a0, a1)))
    figures.append(("server memory before", m0))
    figures.append(("server memory after", mem()))
    figures.append(("server up afterwards", still_up()))
    for k, v in figures:
        print(f"  {k}: {v}", flush=True)
    RESULTS.append((title, figures))


def counts(c):
    return ", ".join(f"{k}×{v}" for k, v in sorted(c.items(), key=lambda kv: str(kv[0])))


# ---------------------------------------------------------------- the data

bundle = json.load(open(A.bundle))
staff = {s["id"]: s for s in bundle["staff"]}
today = datetime.date.today().isoformat()


def current_es(r):
    es = r.get("es")
    for t in sorted(r.get("transfers") or [], key=lambda t: t["date"]):
        if t["date"] <= today:
            es = t["es"]
    return es


my_team = staff[A.attacker]["team"]
assert staff[A.attacker2]["team"] == my_team, "attacker and attacker2 are of one team"
team_of_ref = {r["id"]: staff.get(current_es(r), {}).get("team") for r in bundle["referrals"]}
other_refs = [rid for rid, t in team_of_ref.items() if t is not None and t != my_team]
clients_team = collections.defaultdict(set)
for r in bundle["referrals"]:
    clients_team[r["client"]].add(team_of_ref[r["id"]])
nhs_taken = {c.get("nhs_number") for c in bundle["clients"] if c.get("nhs_number")}
other_nhs = [c["nhs_number"] for c in bundle["clients"]
             if c.get("nhs_number") and clients_team[c["id"]] and my_team not in clients_team[c["id"]]]
print(f"{len(bundle['referrals'])} referrals, {len(other_refs)} of other teams than {A.attacker}'s ({my_team}); "
      f"{len(other_nhs)} NHS numbers held by other teams' clients only")
rng = random.Random(21)


def fresh_nhs():
    while True:
        d = [rng.randrange(10) for _ in range(9)]
        c = 11 - sum(x * w for x, w in zip(d, range(10, 1, -1))) % 11
        if c == 11:
            c = 0
        if c == 10:
            continue
        n = "".join(map(str, d)) + str(c)
        if n not in nhs_taken:
            nhs_taken.add(n)
            return n


def db_bytes():
    return sum(os.path.getsize(p) for p in (A.db, A.db + "-wal") if os.path.exists(p))


def db_query(sql, args=()):
    c = sqlite3.connect(f"file:{A.db}?mode=ro", uri=True, timeout=10)
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


# -------------------------------------------------------------- attack 1

class Probe(threading.Thread):
    """A new connection from 127.0.0.4 every 0.5 s (GET /sign-in): how long
    a newcomer waits while the connections are taken."""

    def __init__(self):
        super().__init__(daemon=True)
        self.times, self.halt, self.slow, self.t0 = [], threading.Event(), [], now()

    def run(self):
        while not self.halt.is_set():
            t = now()
            try:
                req("GET", "/sign-in", src="127.0.0.4", timeout=120)
                self.times.append(now() - t)
                if now() - t > 1:
                    self.slow.append(f"sent at +{t - self.t0:.1f} s, answered after {now() - t:.1f} s")
            except Exception as e:
                self.times.append(float("inf"))
                self.slow.append(f"sent at +{t - self.t0:.1f} s, failed after {now() - t:.1f} s: {type(e).__name__}")
            time.sleep(0.5)

    def done(self):
        self.halt.set()
        self.join(timeout=70)
        xs = self.times
        slow = sum(1 for x in xs if x > 1)
        return ("a newcomer's GET /sign-in (new connection from 127.0.0.4 every 0.5 s)",
                f"n={len(xs)}, median {ms(statistics.median(xs))}, max {ms(max(xs))}, {slow} over 1 s"
                + (f" ({'; '.join(self.slow[:10])})" if self.slow else "") if xs else "none")


def connection(source, rcvbuf=None):
    """A non-blocking connection to the server from the address `source`
    (its receive buffer `rcvbuf` bytes when given)."""
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((source, 0))
    s.setblocking(False)
    s.connect_ex((HOST, PORT))
    return s


def connections(n, sources, rcvbuf=None):
    """n connections from `sources` (round robin): (the sockets, when each
    opened by its file descriptor)."""
    socks, opened = [], {}
    for i in range(n):
        s = connection(sources[i % len(sources)], rcvbuf)
        socks.append(s)
        opened[s.fileno()] = now()
    return socks, opened


def note_closed(socks, closed, wait_ms):
    """Notes in `closed` when each of `socks` not yet in it is seen closed
    by the server, waiting up to `wait_ms` ms."""
    p = select.poll()
    for s in socks:
        if s.fileno() not in closed:
            p.register(s, select.POLLRDHUP | select.POLLHUP | select.POLLERR)
    for fd, ev in p.poll(wait_ms):
        closed.setdefault(fd, now())


def closing_rows(n, sources, hold, opened, closed, later, after=""):
    """The rows that say how the server closed n connections from `sources`
    held `hold` s: `later` names the row of those closed after a second."""
    lives = [closed[fd] - opened[fd] for fd in closed]
    quick = sum(1 for x in lives if x < 1)
    return [
        ("connections", f"{n} from {len(sources)} address(es) ({sources[0]}{'…' if len(sources) > 1 else ''}), held {hold} s"),
        ("closed by the server within 1 s", str(quick)),
        (later, f"{len(lives)-quick}" + (f", {after}{min(x for x in lives if x>=1):.1f} to {max(lives):.1f} s" if len(lives) > quick else "")),
        ("still open at the end", str(n - len(closed))),
    ]


def pipelining(n, sources, hold, cookie_hdr):
    """n connections from `sources` (round robin) each sending pipelined
    requests and reading nothing."""
    one = (f"GET /caseload HTTP/1.1\r\nHost: {HOST}\r\nCookie: {cookie_hdr}\r\n\r\n").encode()
    blob = one * 200
    probe = Probe()
    probe.start()
    socks, opened = connections(n, sources, 4096)
    closed = {}
    sent = collections.Counter()
    end = now() + hold
    while now() < end:
        for s in socks:
            fd = s.fileno()
            if fd in closed:
                continue
            try:
                sent[fd] += s.send(blob)
            except BlockingIOError:
                pass
            except OSError as e:
                if e.errno in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN, errno.ECONNREFUSED):
                    closed[fd] = now()
                else:
                    raise
        note_closed(socks, closed, 0)
        time.sleep(0.05)
    # what the server had sent when the attack ended (at most 1 MB a
    # connection: it may go on answering the requests still queued)
    statuses = collections.Counter()
    for s in socks:
        data = b""
        try:
            while len(data) < 1 << 20:
                d = s.recv(1 << 20)
                if not d:
                    break
                data += d
        except OSError:
            pass
        statuses.update(re.findall(rb"HTTP/1\.1 (\d{3}) ", data))
        s.close()
    return closing_rows(n, sources, hold, opened, closed, "closed later (seconds after opening)") + [
        ("answers received (read afterwards)", counts({k.decode(): v for k, v in statuses.items()}) or "none"),
        ("bytes of requests sent", f"{sum(sent.values())/1e6:.1f} MB"),
        probe.done(),
    ]


def pipelining_again(n, sources, hold, cookie_hdr):
    """As `pipelining`, and each connection the server closes is opened
    again at once from its address."""
    one = (f"GET /caseload HTTP/1.1\r\nHost: {HOST}\r\nCookie: {cookie_hdr}\r\n\r\n").encode()
    blob = one * 200
    probe = Probe()
    probe.start()

    def opened(i):
        return connection(sources[i % len(sources)], 4096)
    socks = [opened(i) for i in range(n)]
    made, lives, born = n, [], [now()] * n
    end = now() + hold
    while now() < end:
        for i, s in enumerate(socks):
            gone = False
            try:
                s.send(blob)
            except BlockingIOError:
                pass
            except OSError:
                gone = True
            if not gone:
                p = select.poll()
                p.register(s, select.POLLRDHUP | select.POLLHUP | select.POLLERR)
                gone = bool(p.poll(0))
            if gone:
                lives.append(now() - born[i])
                s.close()
                socks[i], born[i] = opened(i), now()
                made += 1
        time.sleep(0.05)
    for s in socks:
        s.close()
    return [
        ("connections", f"{n} at a time from {len(sources)} address(es) ({sources[0]}{'…' if len(sources) > 1 else ''}), each opened again when closed, for {hold} s"),
        ("connections opened in all", str(made)),
        ("lives of those the server closed", f"{len(lives)}: median {statistics.median(lives):.1f} s, max {max(lives):.1f} s" if lives else "none closed"),
        probe.done(),
    ]


def idle(n, sources, hold):
    probe = Probe()
    probe.start()
    socks, opened = connections(n, sources)
    closed = {}
    end = now() + hold
    while now() < end:
        note_closed(socks, closed, 100)
    for s in socks:
        s.close()
    return closing_rows(n, sources, hold, opened, closed, "closed later", "after ") + [probe.done()]


# -------------------------------------------------------------- attack 2

def in_waves(n, duration, one):
    """Runs `one(i, k, wait)` — worker i's k-th request, which calls `wait()`
    to start with the wave and returns (its answer, seconds) — in waves of n
    at once for `duration` s: (the answers and errors counted, the answers'
    times, the number of waves)."""
    answers, times = collections.Counter(), []
    lock = threading.Lock()
    end = now() + duration
    waves = [0]

    def worker(i):
        k = 0
        while now() < end:
            try:
                answer, dt = one(i, k, lambda: barrier.wait(timeout=30))
                with lock:
                    answers[answer] += 1
                    times.append(dt)
            except threading.BrokenBarrierError:
                return
            except Exception as e:
                with lock:
                    answers[type(e).__name__] += 1
            k += 1
    barrier = threading.Barrier(n, action=lambda: waves.__setitem__(0, waves[0] + 1))
    threading.Timer(duration, barrier.abort).start()
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=duration + 60)
    barrier.abort()
    return answers, times, waves[0]


def wrong_sign_ins(n, usernames, duration):
    def one(i, k, wait):
        src = CROWD[i % len(CROWD)]
        pre, csrf = pre_sign_in(src)
        wait()
        s, h, page, dt = post_sign_in(pre, csrf, usernames(i, k), "wrong-password-" + str(k), src, timeout=30)
        words = ("not right" if "password is not right" in page else "too many failed" if "Too many failed sign-ins" in page
                 else "too many at once" if "Too many sign-ins at once" in page else "other")
        return f"{s} {words}", dt
    statuses, times, waves = in_waves(n, duration, one)
    return [
        ("requests", f"{sum(statuses.values())} in {waves} waves of {n} at once, from {len(CROWD)} addresses ({CROWD[0]}…)"),
        ("answers", counts(statuses)),
        ("answer time", f"median {ms(statistics.median(times))}, max {ms(max(times))}" if times else "-"),
    ]


# -------------------------------------------------------------- main

def main():
    only = set(A.only.split(",")) if A.only else None
    want = lambda k: only is None or k in only
    es = sign_in(A.attacker)
    es2 = sign_in(A.attacker2)
    REAL.start()
    time.sleep(1)
    print("baseline memory:", mem())

    H = A.hold
    if want("1") or want("1a"):
        attack("1a. 256 pipelining connections from 127.0.0.1 that read nothing",
               lambda: pipelining(256, [ATTACK_SRC], H, es))
    if want("1") or want("1b"):
        attack("1b. 768 idle connections from 127.0.0.1",
               lambda: idle(768, [ATTACK_SRC], H))
    if want("1") or want("1c"):
        attack("1c. 256 pipelining connections that read nothing, 32 from each of 8 addresses (127.0.0.10-17)",
               lambda: pipelining(256, [f"127.0.0.{10+i}" for i in range(8)], H, es))
    if want("1e"):
        attack("1e. as 1c, each connection opened again as soon as the server closes it",
               lambda: pipelining_again(256, [f"127.0.0.{10+i}" for i in range(8)], H, es))
    if want("1") or want("1d"):
        attack("1d. 768 idle connections, 32 from each of 24 addresses (127.0.0.20-43)",
               lambda: idle(768, [f"127.0.0.{20+i}" for i in range(24)], H))

    if want("2"):
        attack(f"2a. 64 parallel wrong-password sign-ins to one account ({A.target_account}), for 10 s",
               lambda: wrong_sign_ins(64, lambda i, k: A.target_account, 10))
        stamp = int(time.time())
        attack("2b. 64 parallel wrong-password sign-ins, each to its own unknown username, for 10 s",
               lambda: wrong_sign_ins(64, lambda i, k: f"nobody-{stamp}-{k}-{i}", 10))

    if want("3"):
        def big_usernames():
            name = "u" * MB19
            d0, l0 = db_bytes(), os.path.getsize(A.log)
            f0 = db_query("select count(*), coalesce(max(length(username)),0) from sign_in_failures")[0]
            st, times = collections.Counter(), []
            for i in range(30):
                pre, csrf = pre_sign_in()
                s, h, page, dt = post_sign_in(pre, csrf, name, "wrong", timeout=60)
                st[s] += 1
                times.append(dt)
            time.sleep(2)
            f1 = db_query("select count(*), coalesce(max(length(username)),0) from sign_in_failures")[0]
            return [("answers", counts(st)),
                    ("answer time", f"median {ms(statistics.median(times))}, max {ms(max(times))}"),
                    ("database + WAL growth", f"{(db_bytes()-d0)/1e3:.0f} KB ({d0} → {db_bytes()} bytes)"),
                    ("server log growth", f"{os.path.getsize(A.log)-l0} bytes"),
                    ("sign_in_failures rows", f"{f0[0]} → {f1[0]}; longest username stored {f1[1]} characters")]
        attack("3. 30 sign-ins with a 1.9 MB username", big_usernames)

    if want("4"):
        def big_keys():
            d0 = db_bytes()
            k0 = db_query("select count(*), coalesce(max(length(key_hash)),0) from request_keys")[0]
            st, api = collections.Counter(), collections.Counter()
            es_id = A.attacker
            s, h, page, _ = req("GET", "/referrals/new", headers={"Cookie": es})
            csrf = csrf_of(page)
            status = re.search(r'name="status_at_referral".*?<option value="([^"]+)"', page, re.S).group(1)
            for i in range(30):
                form = urllib.parse.urlencode({"csrf": csrf, "once": "k" * MB19, "client": "", "given_name": "Big",
                                               "family_name": "Key", "nhs_number": fresh_nhs(), "received": today,
                                               "status_at_referral": status, "es": es_id})
                s, h, page, dt = req("POST", "/referrals/new", form, {"Cookie": es, **FORM}, timeout=60)
                msg = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
                st[f"{s} {msg.group(1).strip()[:60] if msg else ''}".strip()] += 1
            auth = {"Authorization": f"Bearer {A.token}"} if A.token else {"Cookie": es}
            for i in range(30):
                body = json.dumps({"client": "", "given_name": "Big", "family_name": "Key", "nhs_number": fresh_nhs(),
                                   "received": today, "status_at_referral": status, "es": es_id})
                try:
                    s, h, page, dt = req("POST", "/api/v1/referrals", body,
                                         {**auth, "Content-Type": "application/json", "Idempotency-Key": "k" * MB19}, timeout=60)
                    api[s] += 1
                except Exception as e:
                    api[type(e).__name__] += 1
            api300 = collections.Counter()
            for i in range(30):
                body = json.dumps({"client": "", "given_name": "Big", "family_name": "Key", "nhs_number": fresh_nhs(),
                                   "received": today, "status_at_referral": status, "es": es_id})
                s, h, page, dt = req("POST", "/api/v1/referrals", body,
                                     {**auth, "Content-Type": "application/json", "Idempotency-Key": "k" * 300_000}, timeout=60)
                api300[f"{s} {page[:80]}"] += 1
            time.sleep(2)
            k1 = db_query("select count(*), coalesce(max(length(key_hash)),0) from request_keys")[0]
            n_refs = db_query("select count(*) from referrals")[0][0]
            return [("form posts (1.9 MB `once`)", counts(st)),
                    ("API posts (1.9 MB Idempotency-Key" + (", bearer token)" if A.token else ", session cookie)"), counts(api)),
                    ("API posts (300 KB Idempotency-Key, under the HTTP header limit)", counts(api300)),
                    ("database + WAL growth", f"{(db_bytes()-d0)/1e3:.0f} KB ({d0} → {db_bytes()} bytes)"),
                    ("request_keys rows", f"{k0[0]} → {k1[0]} (longest stored key hash {k1[1]} characters)"),
                    ("referrals in the database afterwards", str(n_refs))]
        attack("4. 30 forms with a 1.9 MB one-time token, 30 API writes with a 1.9 MB and 30 with a 300 KB Idempotency-Key", big_keys)

    if want("5"):
        def timing():
            c = http.client.HTTPConnection(HOST, PORT, timeout=30, source_address=(ATTACK_SRC, 0))
            outs = (other_refs * 2)[:200] if len(other_refs) < 200 else rng.sample(other_refs, 200)
            nones = [f"r{9_000_000 + i}" for i in range(200)]
            t_out, t_none, bodies = [], [], collections.defaultdict(set)
            st = collections.Counter()
            # warm up, then interleave
            for i in range(10):
                req("GET", "/referrals/r0", headers={"Cookie": es}, conn=c)
            for a, b in zip(outs, nones):
                for kind, rid, acc in (("out", a, t_out), ("none", b, t_none)):
                    s, h, page, dt = req("GET", f"/referrals/{rid}", headers={"Cookie": es}, conn=c)
                    acc.append(dt)
                    st[(kind, s)] += 1
                    bodies[kind].add(page.replace(rid, "ID"))
            same = bodies["out"] == bodies["none"] and len(bodies["out"]) == 1
            f = lambda xs: f"median {xs and statistics.median(xs)*1000:.2f} ms, p90 {pct(xs, 90)*1000:.2f} ms, mean {statistics.mean(xs)*1000:.2f} ms"
            return [("another team's referral (200)", f(t_out)),
                    ("an id that does not exist (200)", f(t_none)),
                    ("statuses", counts({f"{k[0]} {k[1]}": v for k, v in st.items()})),
                    ("bodies (id replaced) identical", "yes" if same else f"NO: {len(bodies['out'])} vs {len(bodies['none'])} distinct")]
        attack(f"5. Existence by time: {A.attacker} loads 200 referrals of other teams and 200 ids that do not exist", timing)

    if want("6"):
        def words():
            out = []
            victim = rng.choice(other_nhs)

            def form_post(nhs):
                s, h, page, _ = req("GET", "/referrals/new", headers={"Cookie": es})
                csrf = csrf_of(page)
                once = re.search(r'name="once" value="([^"]+)"', page).group(1)
                status = re.search(r'name="status_at_referral".*?<option value="([^"]+)"', page, re.S).group(1)
                form = urllib.parse.urlencode({"csrf": csrf, "once": once, "client": "", "given_name": "Alex",
                                               "family_name": "Oracle", "nhs_number": nhs, "received": today,
                                               "status_at_referral": status, "es": A.attacker})
                s, h, body, _ = req("POST", "/referrals/new", form, {"Cookie": es, **FORM})
                loc = h.get("location", "")
                follow = req("GET", loc, headers={"Cookie": es})[2] if s == 303 and loc else ""
                rid = loc.rsplit("/", 1)[-1]
                # ids, the NHS number and the per-page tokens (`once`, and
                # `seen`, a hash of the person's details) replaced
                norm = lambda t: re.sub(r'name="(once|seen|csrf)" value="[^"]*"', r'name="\1" value="X"',
                                        re.sub(r"\b[rc]\d+\b", "ID", t.replace(nhs, "NHS").replace(nhs[:3] + " " + nhs[3:6] + " " + nhs[6:], "NHS")))
                return s, re.sub(r"\d+", "N", loc), norm(body), norm(follow), rid
            a, b = form_post(victim), form_post(fresh_nhs())
            out.append(("form, another team's client's NHS number", f"{a[0]} → {a[1]}"))
            out.append(("form, a fresh valid NHS number", f"{b[0]} → {b[1]}"))
            out.append(("form: answer bodies identical", "yes" if a[2] == b[2] else "NO"))
            if a[3] != b[3]:
                i = next((i for i, (x, y) in enumerate(zip(a[3], b[3])) if x != y), min(len(a[3]), len(b[3])))
                out.append(("form: pages redirected to identical (ids, NHS number, tokens replaced)",
                            f"NO: {len(a[3])} vs {len(b[3])} characters; first difference at {i}: {a[3][max(0,i-60):i+60]!r} vs {b[3][max(0,i-60):i+60]!r}"))
            else:
                out.append(("form: pages redirected to identical (ids, NHS number, tokens replaced)", "yes"))
            if A.token:
                victim2 = rng.choice([n for n in other_nhs if n != victim])

                def api_post(nhs):
                    body = json.dumps({"client": "", "given_name": "Alex", "family_name": "Oracle", "nhs_number": nhs,
                                       "received": today, "status_at_referral": "", "es": A.attacker})
                    s, h, page, _ = req("GET", "/referrals/new", headers={"Cookie": es})
                    status = re.search(r'name="status_at_referral".*?<option value="([^"]+)"', page, re.S).group(1)
                    body = body.replace('"status_at_referral": ""', f'"status_at_referral": "{status}"')
                    s, h, text, _ = req("POST", "/api/v1/referrals", body, {"Authorization": f"Bearer {A.token}", "Content-Type": "application/json"})
                    norm = re.sub(r'"(r|c)\d+"', '"ID"', text.replace(nhs, "NHS"))
                    keys = sorted(k for k in h if k not in ("date", "etag", "content-length", "location"))
                    return s, norm, keys
                x, y = api_post(victim2), api_post(fresh_nhs())
                out.append(("API, another team's client's NHS number", f"{x[0]}"))
                out.append(("API, a fresh valid NHS number", f"{y[0]}"))
                out.append(("API: bodies identical (ids and NHS number replaced)", "yes" if x[1] == y[1] else f"NO: {x[1][:300]} vs {y[1][:300]}"))
                out.append(("API: same headers", "yes" if x[2] == y[2] else f"NO: {x[2]} vs {y[2]}"))
            dup = db_query("select count(*) from clients where possible_duplicate_of is not null")[0][0]
            out.append(("clients kept as possible duplicates (database)", str(dup)))
            return out
        attack(f"6. Existence by words: {A.attacker} enters a new person with another team's client's NHS number", words)

    if want("7"):
        def searches():
            q = collections.Counter(c.get("family_name", "") for c in bundle["clients"]).most_common(1)[0][0] or "a"

            def one(i, k, wait):
                wait()
                s, h, page, dt = req("GET", f"/search?q={urllib.parse.quote(q)}", headers={"Cookie": es2}, src=CROWD[i % len(CROWD)])
                return s, dt
            st, times, waves = in_waves(64, 10, one)
            return [("searches", f"{sum(st.values())} in {waves} waves of 64 at once from {len(CROWD)} addresses, q={q!r}"),
                    ("answers", counts(st)),
                    ("answer time", f"median {ms(statistics.median(times))}, max {ms(max(times))}" if times else "-")]
        attack(f"7. 64 concurrent searches by one ES ({A.attacker2}), waves for 10 s", searches)

    if want("8"):
        def flood():
            start_wall = datetime.datetime.now(datetime.timezone.utc)
            a0 = db_query("select coalesce(max(seq), 0) from audit_log")[0][0]
            ids = (other_refs * (2000 // max(1, len(other_refs)) + 1))[:2000]
            st, lock = collections.Counter(), threading.Lock()
            t0 = now()

            def worker(part):
                c = http.client.HTTPConnection(HOST, PORT, timeout=30, source_address=(ATTACK_SRC, 0))
                for rid in part:
                    s, _, _, _ = req("GET", f"/referrals/{rid}", headers={"Cookie": es2}, conn=c)
                    with lock:
                        st[s] += 1
            ts = [threading.Thread(target=worker, args=(ids[i::8],)) for i in range(8)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            took = now() - t0
            # rows are written once their minute is over
            wait = 62 - datetime.datetime.now().second + 5
            print(f"  (waiting {wait} s for the audit writer's minute to end)", flush=True)
            time.sleep(wait)
            new = db_query("select record_id, new_value from audit_log where action = 'out-of-scope' and actor = ? and seq > ?", (A.attacker2, a0))
            others = db_query("select count(*) from audit_log where seq > ? and actor != ?", (a0, A.attacker2))[0][0]
            total = sum(json.loads(v).get("count", 1) for _, v in new if v)
            star = [v for r, v in new if r == "*"]
            return [("requests", f"{sum(st.values())} ({len(set(ids))} distinct ids) in {took:.1f} s: {counts(st)}"),
                    ("audit rows added", f"{len(new)} (of which record id '*': {len(star)}), counting {total} lookups"),
                    ("audit rows of others meanwhile", str(others)),
                    ("server log lines naming dropped audit entries", str(sum(1 for l in open(A.log, errors='replace') if 'dropped' in l)))]
        attack(f"8. Audit flood: {A.attacker2} asks for 2,000 referral ids of other teams", flood)

    REAL.halt.set()
    print("\nserver up at the end:", still_up(), "; memory:", mem())
    if A.markdown:
        with open(A.markdown, "w") as f:
            for title, figs in RESULTS:
                f.write(f"\n**{title}**{(' — ' + A.label) if A.label else ''}\n\n| Figure | Value |\n|---|---|\n")
                for k, v in figs:
                    f.write(f"| {k} | {str(v).replace('|', '/')} |\n")


main()
