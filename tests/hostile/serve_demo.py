"""Hostile uploads and requests against a running `ipstrack serve --demo`.

Usage: ipstrack serve --demo --db /tmp/demo.sqlite --listen 127.0.0.1:8099 &
       python3 tests/hostile/serve_demo.py 8099 $(pgrep -f 'serve --demo')

Signs in as the demo team lead, uploads hostile xlsx files made here (a sheet
declaring A1:XFD1048576, a value at XFD1048576, a 300 MiB shared text
deflated to 300 KB, 3 million and 1.2 million rows) and asks for periods
that end in 2524 and 9999; prints each answer, its time and the server's
memory (VmRSS, VmHWM). The automated tests (docs/security.md) check the same
attacks; this is the check against the real server.
"""
import io, re, sys, time, zipfile, http.client, urllib.parse

HOST, PORT = "127.0.0.1", int(sys.argv[1])
PID = int(sys.argv[2])

def rss():
    for l in open(f"/proc/{PID}/status"):
        if l.startswith("VmRSS") or l.startswith("VmHWM"):
            print("   ", l.strip())

def req(method, path, body=None, headers=None):
    c = http.client.HTTPConnection(HOST, PORT, timeout=30)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    return r.status, dict(r.getheaders()), data.decode("utf-8", "replace")

def sign_in(user):
    s, h, body = req("GET", "/sign-in")
    pre = h["set-cookie"].split(";")[0]
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
    form = urllib.parse.urlencode({"username": user, "password": "ipstrack-demo", "csrf": csrf})
    s, h, body = req("POST", "/sign-in", form, {"Cookie": pre, "Content-Type": "application/x-www-form-urlencoded"})
    assert s == 303, (s, body[:300])
    session = h["set-cookie"].split(";")[0]
    s, h, body = req("GET", "/import", headers={"Cookie": session})
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
    return session, csrf

CT = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
RELS = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
WB = '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Caseload" sheetId="1" r:id="rId1"/></sheets></workbook>'
WBRELS = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
def xlsx(sheet_chunks, shared='<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT); z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB); z.writestr("xl/_rels/workbook.xml.rels", WBRELS)
        with z.open("xl/sharedStrings.xml", "w") as f:
            for chunk in (shared if isinstance(shared, list) else [shared]):
                f.write(chunk.encode() if isinstance(chunk, str) else chunk)
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            for chunk in sheet_chunks:
                f.write(chunk.encode() if isinstance(chunk, str) else chunk)
    return b.getvalue()

HEAD = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
def rows(n):
    yield HEAD + '<sheetData>'
    for start in range(1, n + 1, 100000):
        yield "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(start, min(n, start + 99999) + 1))
    yield '</sheetData></worksheet>'
def big_shared():
    yield '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
    for _ in range(300): yield b"a" * (1024 * 1024)
    yield '</t></si></sst>'

files = {
  "dimension.xlsx": xlsx([HEAD + '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>']),
  "corner.xlsx": xlsx([HEAD + '<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>']),
  "huge-cell.xlsx": xlsx([HEAD + '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'], list(big_shared())),
  "rows.xlsx": xlsx(rows(3_000_000)),
  "rows-under-the-part-limit.xlsx": xlsx(rows(1_200_000)),
}
session, csrf = sign_in("lead")
print("baseline"); rss()
for name, data in files.items():
    body = (f'--X\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n--X\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n').encode() + data + b'\r\n--X--\r\n'
    t = time.time()
    s, h, page = req("POST", "/import", body, {"Cookie": session, "Content-Type": "multipart/form-data; boundary=X"})
    msg = re.search(r'<a href="#file">(.*?)</a>', page, re.S)
    print(f"{name} ({len(data)} bytes): {s} in {time.time()-t:.2f}s: {msg.group(1)[:160] if msg else page[:160]}")
    rss()
manager, _ = sign_in("manager")
for path in ["/specialists/es1/plan?period=2024-04-21..2524-03-31", "/team?period=9999/00", "/service?period=2024-04-01..9999-12-31", "/referrals/r1%0AFORGED%1B[2J"]:
    t = time.time()
    s, h, page = req("GET", path, headers={"Cookie": manager})
    print(f"{path}: {s} in {time.time()-t:.2f}s")
s, h, page = req("GET", "/caseload", headers={"Cookie": session})
print("still up:", s); rss()
