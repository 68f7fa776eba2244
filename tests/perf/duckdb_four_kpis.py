"""Issue 25's yardstick: an analyst's DuckDB query of four of the report's
KPIs for a financial year, on the same bundle the Rust benchmark reports
(`cargo bench -p ipstrack-cli --bench report`, `national/report FY`).

The bundle's referrals and jobs are loaded into DuckDB's memory first (not
timed), then the query is run 20 times and its median printed, as
criterion prints the report's. The four: referrals received (REF-1),
people accessed (ACC-2, distinct), job starts (JOB-5) and people moved into
work (JOB-4, distinct, first job start in the year), each for people
unemployed and employed at referral apart. Like an analyst's, the query
takes jobs as recorded (no 4-hour or evidence rules), so it does less than
the report: it is a floor, not a like-for-like.

    python3 tests/perf/duckdb_four_kpis.py /tmp/national.json 2024-04-01 2025-03-31
"""

import json
import statistics
import sys
import time

import duckdb


def main(path, start, end):
    with open(path) as f:
        bundle = json.load(f)
    referrals = [
        (r["id"], r["client"], r["received"], r["status_at_referral"], r.get("access"))
        for r in bundle["referrals"]
    ]
    jobs = [
        (r["id"], j["start"])
        for r in bundle["referrals"]
        for j in (r.get("jobs") or [])
    ]
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE referrals (id TEXT, client TEXT, received DATE, status TEXT, access DATE)"
    )
    con.executemany("INSERT INTO referrals VALUES (?, ?, ?, ?, ?)", referrals)
    con.execute("CREATE TABLE jobs (referral TEXT, start DATE)")
    con.executemany("INSERT INTO jobs VALUES (?, ?)", jobs)
    query = """
        WITH fy AS (SELECT DATE '{s}' AS s, DATE '{e}' AS e),
        firsts AS (
            SELECT j.referral, min(j.start) AS first_start FROM jobs j GROUP BY j.referral
        )
        SELECT r.status,
            count(*) FILTER (WHERE r.received BETWEEN fy.s AND fy.e) AS referrals,
            count(DISTINCT r.client) FILTER (WHERE r.access BETWEEN fy.s AND fy.e) AS accessed,
            (SELECT count(*) FROM jobs j JOIN referrals x ON x.id = j.referral, fy f2
                WHERE x.status = r.status AND j.start BETWEEN f2.s AND f2.e) AS job_starts,
            count(DISTINCT r.client) FILTER (WHERE f.first_start BETWEEN fy.s AND fy.e) AS into_work
        FROM referrals r CROSS JOIN fy LEFT JOIN firsts f ON f.referral = r.id
        WHERE r.received <= fy.e
        GROUP BY r.status ORDER BY r.status
    """.format(s=start, e=end)
    times = []
    for _ in range(20):
        t = time.perf_counter()
        rows = con.execute(query).fetchall()
        times.append(time.perf_counter() - t)
    print(f"referrals {len(referrals)}, jobs {len(jobs)}")
    for row in rows:
        print("  ", row)
    print(f"DuckDB {duckdb.__version__}, four KPIs: median {statistics.median(times) * 1000:.1f} ms, "
          f"min {min(times) * 1000:.1f} ms (20 runs)")


if __name__ == "__main__":
    main(*sys.argv[1:4])
