"""A news site for tests: seed-like articles wrapped in the chrome real sites have (menus, a cookie
banner, share buttons, "Baca juga" boxes, related links, comments, scripts), their feed, a dump of
them, and a real HTTP server on 127.0.0.1 that serves any of it, plus robots.txt, redirects, slow and
failing responses.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    outlet: str
    published: dt.date
    paragraphs: list[str]

    def path(self) -> str:
        return f"/berita/{self.slug}"


def page(story: Story, base: str, charset: str = "utf-8", related: list[Story] = ()) -> str:
    """The story as a news site serves it."""
    body = []
    for n, p in enumerate(story.paragraphs):
        body.append(f"<p>{html.escape(p, quote=False)}</p>")
        if n == 1:
            body.append('<div class="baca-juga"><strong>Baca juga:</strong> '
                        '<a href="/berita/lain">Harga cabai naik lagi di pasar induk</a></div>')
        if n == 3:
            body.append('<div class="ads"><script>googletag.cmd.push(function(){});</script>ADVERTISEMENT</div>')
    links = "".join(f'<li><a href="{r.path()}">{html.escape(r.title)}</a></li>' for r in related)
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="{charset}">
<title>{html.escape(story.title)} - {html.escape(story.outlet)}</title>
<link rel="canonical" href="{base}{story.path()}">
<meta property="og:site_name" content="{html.escape(story.outlet)}">
<meta property="og:title" content="{html.escape(story.title)}">
<meta property="article:published_time" content="{story.published.isoformat()}T09:30:00+07:00">
<script>window.dataLayer = [{{"event": "pageview"}}];</script>
<style>.menu {{ color: red }}</style>
</head><body>
<header><nav class="menu"><a href="/">Beranda</a> <a href="/politik">Politik</a> <a href="/ekonomi">Ekonomi</a>
<a href="/olahraga">Olahraga</a> <a href="/login">Masuk</a></nav></header>
<div id="cookie-consent">Situs ini menggunakan cookie untuk meningkatkan pengalaman Anda. <button>Setuju</button></div>
<main><article>
<h1>{html.escape(story.title)}</h1>
<div class="meta">{story.published:%d/%m/%Y} 09:30 WIB</div>
<div class="share">Bagikan: <a href="#">Facebook</a> <a href="#">X</a> <a href="#">WhatsApp</a></div>
<div class="article-content">
{chr(10).join(body)}
</div>
<div class="tags">Tag: <a href="/tag/korea">Korea Utara</a> <a href="/tag/rusia">Rusia</a></div>
</article>
<aside class="related"><h3>Berita Terkait</h3><ul>{links}<li><a href="/x">Timnas menang 3-0 atas Brunei</a></li></ul></aside>
<section id="comments"><h3>Komentar (2)</h3>
<div class="comment"><b>budi88</b><p>Mantap, semoga damai selalu ya bro!</p></div>
<div class="comment"><b>sari</b><p>Beritanya kurang lengkap, min.</p></div></section>
</main>
<footer><p>Tentang Kami | Pedoman Media Siber | Kontak</p><p>Copyright © {story.published.year} {html.escape(story.outlet)}.
All rights reserved.</p></footer>
<script src="/static/app.js"></script>
</body></html>"""


def feed(stories: list[Story], base: str, full: bool = True, title: str = "Berita Terkini") -> str:
    """An RSS 2.0 feed of the stories: the whole article in content:encoded when `full`, else a summary."""
    items = []
    for s in stories:
        content = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in s.paragraphs)
        stamp = format_datetime(dt.datetime.combine(s.published, dt.time(2, 30), dt.UTC))
        items.append(f"""<item><title>{html.escape(s.title)}</title>
<link>{base}{s.path()}?utm_source=rss&amp;utm_medium=feed</link>
<guid>{base}{s.path()}</guid><pubDate>{stamp}</pubDate>
<description>{html.escape(s.paragraphs[0][:160])}</description>
{f'<content:encoded><![CDATA[{content}]]></content:encoded>' if full else ''}
</item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>{html.escape(title)}</title><link>{base}/</link><description>Berita</description>
<language>id</language>
{''.join(items)}
</channel></rss>"""


def jsonl(stories: list[Story], base: str) -> str:
    return "".join(json.dumps({"title": s.title, "content": "\n".join(s.paragraphs), "link": base + s.path(),
                               "date": s.published.isoformat(), "source": s.outlet}, ensure_ascii=False) + "\n"
                   for s in stories)


@dataclass
class Route:
    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    fail_times: int = 0  # answer 503 this many times first
    handler: Callable[[BaseHTTPRequestHandler], Route] | None = None


class NewsServer:
    """A real HTTP server on 127.0.0.1 serving routes a test sets; it records every request."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path.split("?")[0]) or server.routes.get(self.path)
                if route is None:
                    route = Route("<h1>404</h1>", 404)
                if route.handler:
                    route = route.handler(self)
                if route.delay:
                    time.sleep(route.delay)
                status = route.status
                if route.fail_times > 0:
                    route.fail_times -= 1
                    status = 503
                body = route.body.encode() if isinstance(route.body, str) else route.body
                self.send_response(status)
                if status != 304:
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(body)))
                for k, v in route.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if status != 304:
                    try:
                        self.wfile.write(body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> NewsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]
