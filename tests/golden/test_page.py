#!/usr/bin/env python3
"""The search page of `bsearch --serve` in a real browser.

Builds an index (the seed notices, the municipal CSVs, two hostile notices),
starts bsearch --serve on 127.0.0.1 port 0, starts headless Chromium and
drives it through the DevTools protocol (a minimal websocket client, standard
library only): loads /, types a query, clicks a facet value, opens a
document, closes it with Escape, loads a shared URL, searches hostile
notices, and narrows the window to a phone's width, checking what the DOM
shows at each step.  Screenshots of each step go to BUILD/page-screens/.
Everything is bounded by timeouts; exit 77 (ctest: skipped) without Chromium.

usage: test_page.py BUILD_DIR SOURCE_DIR SHARED_CORPUS
"""
import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

TIMEOUT = 20          # seconds for any one wait
DEADLINE = 240        # seconds for the whole test


class WebSocket:
    """RFC 6455, client side, text frames: just what the DevTools protocol needs."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("websocket handshake failed")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("websocket handshake refused: %r" % head[:80])

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("websocket closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            head = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + masked)

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)
            if b0 & 0x0F == 0x8:
                raise RuntimeError("websocket closed by the browser")
            if b0 & 0x0F in (0x9, 0xA):
                continue  # ping/pong
            message += payload
            if b0 & 0x80:
                return message.decode()


class Browser:
    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        my = self.next_id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait(self, expr, what):
        end = time.time() + TIMEOUT
        while time.time() < end:
            if self.js(expr):
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what} ({expr})")

    def click(self, selector):
        rect = self.js(f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
            if (!e) return null; e.scrollIntoView({{block: 'center'}});
            const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()""")
        assert rect, f"nothing to click at {selector}"
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=rect[0], y=rect[1], button="left",
                      clickCount=1)

    def key(self, key, code, vk, text=None):
        for kind in ("keyDown", "keyUp"):
            extra = {"text": text} if text and kind == "keyDown" else {}
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code,
                      windowsVirtualKeyCode=vk, nativeVirtualKeyCode=vk, **extra)

    def shot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def goto(self, url):
        self.call("Page.navigate", url=url)
        self.wait("document.readyState === 'complete' && !!document.getElementById('q')", "the page")


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def start_server(bsearch, index, log):
    srv = subprocess.Popen([bsearch, "-i", index, "--serve", "127.0.0.1:0"], stderr=open(log, "w"),
                           stdout=subprocess.DEVNULL)
    end = time.time() + TIMEOUT
    while time.time() < end:
        m = re.search(r"serving .* on http://127\.0\.0\.1:(\d+)/", open(log).read())
        if m:
            return srv, int(m.group(1))
        check(srv.poll() is None, "bsearch --serve exited: " + open(log).read())
        time.sleep(0.05)
    raise AssertionError("bsearch --serve did not start")


def start_chromium(exe, profile, log):
    args = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-dev-shm-usage", "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1280,900",
            "about:blank"]
    proc = subprocess.Popen(args, stderr=open(log, "w"), stdout=subprocess.DEVNULL,
                            start_new_session=True)
    end = time.time() + TIMEOUT * 2
    while time.time() < end:
        m = re.search(r"DevTools listening on (ws://\S+)", open(log).read())
        if m:
            port = urllib.parse.urlparse(m.group(1)).port
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                                       timeout=TIMEOUT))
            page = [t for t in targets if t.get("type") == "page"]
            check(page, "Chromium has no page target")
            return proc, page[0]["webSocketDebuggerUrl"]
        check(proc.poll() is None, "Chromium exited: " + open(log).read()[-2000:])
        time.sleep(0.1)
    raise AssertionError("Chromium did not start")


def build_index(bidx, corpora, tmp):
    corpus = os.path.join(tmp, "corpus")
    os.makedirs(os.path.join(corpus, "xss"))
    for name, src in corpora.items():
        shutil.copytree(src, os.path.join(corpus, name))
    with open(os.path.join(corpus, "xss", 'x"><img src=x onerror=alert(4)>.txt'), "w") as f:
        f.write("<script>alert(1)</script>個人情報漏えいのお詫び\n\n2024年5月1日\n株式会社<b>テスト</b>\n\n"
                "弊社サーバーへの不正アクセスにより、ハッキング対策の\"><img src=x onerror=alert(2)>"
                "と javascript:alert(3) の文字列を含む個人情報が漏えいしました。\n")
    with open(os.path.join(corpus, "xss", "rows.csv"), "w") as f:
        f.write("タイトル,日付,組織,本文\n\"<img src=x onerror=alert(5)>お知らせ\",2024-06-01,"
                "\"<script>alert(6)</script>市\",\"<svg onload=alert(7)>ハッキング被害のお知らせです。\"\n")
    index = os.path.join(tmp, "index")
    subprocess.run([bidx, "build", "-q", "-i", index, corpus], check=True, timeout=DEADLINE)
    return index


def corpus_dir(source, shared, name):
    no_shared = os.environ.get("BIDX_NO_SHARED", "") not in ("", "0")
    if not no_shared and os.path.isdir(os.path.join(shared, name)):
        return os.path.join(shared, name)
    return os.path.join(source, "corpus", name)


def run(b, base, shots):
    dialogs = lambda: [e for e in b.events if e["method"] == "Page.javascriptDialogOpening"]
    b.call("Page.enable")
    b.call("Runtime.enable")
    # 1. load the page, type a query, press Enter
    b.goto(base + "/")
    check(b.js("document.documentElement.lang") == "ja", "the page is not Japanese")
    b.click("#q")
    b.call("Input.insertText", text="お知らせ")
    b.key("Enter", "Enter", 13, "\r")
    b.wait("document.querySelectorAll('#hits .hit').length > 0", "hits")
    check("q=%E3%81%8A%E7%9F%A5%E3%82%89%E3%81%9B" in b.js("location.search"),
          "the query is not in the URL: " + b.js("location.search"))
    check(b.js("document.querySelectorAll('#hits .hit').length") == 10, "not 10 hits on the first page")
    check("件" in b.js("document.getElementById('status').textContent"), "no hit count shown")
    check(b.js("document.querySelectorAll('#hits .hit .snippet mark').length") > 0, "no marked match")
    check(b.js("!document.getElementById('next').hidden"), "no next page button")
    b.shot(os.path.join(shots, "1-search.png"))
    # 2. the next page
    b.click("#next")
    b.wait("location.search.includes('offset=10')", "page 2 in the URL")
    b.wait("document.querySelector('#status').textContent.includes('11–')", "page 2")
    # 3. click a facet value (an organisation)
    b.wait("document.querySelectorAll('#facets section[data-field=org] li button').length > 0",
           "the org facet")
    org = b.js("document.querySelector('#facets section[data-field=org] li button').dataset.value")
    b.click("#facets section[data-field=org] li button")
    b.wait("location.search.includes('f=org')", "the facet filter in the URL")
    b.wait("document.querySelectorAll('#filters .filter').length === 1 && "
           "document.querySelectorAll('#hits .hit').length > 0", "filtered hits")
    orgs = b.js("Array.from(document.querySelectorAll('#hits .hit .org')).map(e => e.textContent)")
    check(orgs and all(o == org for o in orgs), f"hits not all of {org}: {orgs}")
    check(not b.js("location.search").count("offset"), "a new filter starts at the first page")
    filtered_url = b.js("location.href")
    b.shot(os.path.join(shots, "2-facet.png"))
    # 4. open a document, close it with Escape
    title = b.js("document.querySelector('#hits .hit h3 a').textContent")
    b.click("#hits .hit h3 a")
    b.wait("!document.getElementById('docview').hidden && "
           "document.getElementById('doc-text').textContent.length > 0", "the document view")
    check(b.js("document.getElementById('doc-title').textContent") == title, "another document opened")
    check(b.js("location.search").count("doc="), "the document is not in the URL")
    check(b.js("document.querySelectorAll('#doc-fields dt').length") > 0, "no fields shown")
    b.shot(os.path.join(shots, "3-document.png"))
    b.key("Escape", "Escape", 27)
    b.wait("document.getElementById('docview').hidden", "the document view to close")
    # 5. a shared URL restores the same search
    b.goto(filtered_url)
    b.wait("document.querySelectorAll('#hits .hit').length > 0", "hits of the shared URL")
    check(b.js("document.getElementById('q').value") == "お知らせ", "the query box is not restored")
    check(b.js("document.querySelectorAll('#filters .filter').length") == 1, "the filter is lost")
    # 6. hostile notices show as text
    b.goto(base + "/?q=" + urllib.parse.quote("ハッキング"))
    b.wait("document.querySelectorAll('#hits .hit').length === 2", "the two hostile notices")
    time.sleep(0.3)
    check(b.js("document.querySelectorAll('img, svg, iframe, object').length") == 0, "markup got in")
    check(b.js("document.scripts.length") == 1, "a script element got in")
    titles = b.js("Array.from(document.querySelectorAll('#hits h3 a')).map(e => e.textContent)")
    check("<script>alert(1)</script>個人情報漏えいのお詫び" in titles, f"title not shown as text: {titles}")
    paths = b.js("Array.from(document.querySelectorAll('#hits .path')).map(e => e.textContent)")
    check(any('x"><img src=x onerror=alert(4)>.txt' in p for p in paths), f"path not as text: {paths}")
    snippets = b.js("Array.from(document.querySelectorAll('#hits .snippet')).map(e => e.textContent)")
    check(any('"><img src=x onerror=alert(2)>' in s for s in snippets), f"snippet text: {snippets}")
    check(b.js("Array.from(document.querySelectorAll('.snippet *')).every(e => e.tagName === 'MARK')"),
          "a snippet holds an element other than <mark>")
    b.click("#hits .hit h3 a")
    b.wait("document.getElementById('doc-text').textContent.length > 0", "the hostile document")
    check(b.js("document.querySelectorAll('img, svg').length") == 0, "markup got in the document view")
    check(not dialogs(), f"a script of a document ran: {dialogs()}")
    b.shot(os.path.join(shots, "4-hostile.png"))
    # 7. a bad query gives the parser's message
    b.goto(base + "/?q=" + urllib.parse.quote("個人情報 (漏えい"))
    b.wait("document.getElementById('status').textContent.includes('エラー')", "the error message")
    check("13" in b.js("document.getElementById('status').textContent"), "no byte position")
    # 8. a phone's width
    b.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=2,
           mobile=True)
    b.goto(base + "/?q=" + urllib.parse.quote("クレジットカード"))
    b.wait("document.querySelectorAll('#hits .hit').length > 0", "hits on a phone")
    check(b.js("document.documentElement.scrollWidth") <= 391, "the page is wider than a phone")
    b.shot(os.path.join(shots, "5-phone.png"))
    check(not dialogs(), f"a dialog opened: {dialogs()}")


def main():
    build, source, shared = sys.argv[1:4]
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not exe:
        print("test_page: Chromium is not installed (Debian package 'chromium'); skipped")
        return 77
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("test_page timed out")))
    signal.alarm(DEADLINE)
    tmp = tempfile.mkdtemp(prefix="bidx-page-")
    shots = os.path.join(build, "page-screens")
    os.makedirs(shots, exist_ok=True)
    srv = chrome = None
    try:
        corpora = {n: corpus_dir(source, shared, n) for n in ("seeds", "municipal")}
        index = build_index(os.path.join(build, "bidx"), corpora, tmp)
        srv, port = start_server(os.path.join(build, "bsearch"), index, os.path.join(tmp, "serve.log"))
        chrome, ws = start_chromium(exe, os.path.join(tmp, "profile"), os.path.join(tmp, "chromium.log"))
        run(Browser(ws), f"http://127.0.0.1:{port}", shots)
        print(f"test_page: all steps passed; screenshots in {shots}")
        return 0
    except Exception as e:  # report, clean up, fail
        print(f"test_page: FAILED: {e}")
        for log in ("serve.log", "chromium.log"):
            p = os.path.join(tmp, log)
            if os.path.exists(p):
                print(f"--- {log} (tail)\n" + open(p, errors="replace").read()[-1500:])
        return 1
    finally:
        signal.alarm(0)
        if chrome:
            os.killpg(chrome.pid, signal.SIGKILL)
            chrome.wait()
        if srv:
            srv.terminate()
            srv.wait(timeout=TIMEOUT)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
