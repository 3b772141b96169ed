"""Fetching pages and feeds politely and safely.

One `Fetcher` per run: httpx with timeouts; retries with backoff on 5xx, 429 and dropped connections,
honouring Retry-After; a delay between requests to the same host; robots.txt respected (and its
Crawl-delay); a user agent naming the bot and where to learn about it; a size cap read as the body
streams; content-type and charset checks; redirects followed by hand (each hop checked, loops and
long chains refused); conditional GET so an unchanged feed costs one 304. Only http/https, and no
private or loopback address unless allowed (NEWSBOT_ALLOW_PRIVATE_URLS=1).

Every failure is a `FetchFailed` with a one-line reason and a short kind for the run's summary.
"""

from __future__ import annotations

import email.utils
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urljoin, urlsplit

import httpx

from .errors import NewsbotError
from .urls import UrlError, check_address

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
RETRIES = 3
MAX_RETRY_AFTER = 120.0  # seconds; a server asking for longer is tried again on the next run
PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
              "text/xml", "application/feed+json")


class FetchFailed(NewsbotError):
    """A URL could not be fetched; `kind` names the reason for a summary ("HTTP 404", "timeout", …)."""

    def __init__(self, url: str, message: str, kind: str):
        super().__init__(f"{url}: {message}")
        self.url, self.reason, self.kind = url, message, kind


@dataclass(frozen=True)
class Fetched:
    """A response worth reading, or a 304 (not_modified, no content)."""

    url: str  # after redirects
    content: bytes
    charset: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


def user_agent(bot_url: str | None) -> str:
    try:
        release = version("newsbot")
    except PackageNotFoundError:
        release = "0"
    return f"newsbot/{release} (+{bot_url or 'https://github.com/newsbot/newsbot'}; news quotes with sources)"


class Fetcher:
    """Fetches for one indexing run (or one watch loop). Thread-safe; close() when done."""

    def __init__(self, bot_url: str | None = None, allow_private: bool = False, host_delay: float = 1.0,
                 timeout: float = 20.0, max_bytes: int = MAX_PAGE_BYTES, retries: int = RETRIES,
                 backoff: float = 1.0, sleep: Callable[[float], None] = time.sleep):
        self.agent = user_agent(bot_url)
        self.allow_private, self.host_delay, self.max_bytes = allow_private, host_delay, max_bytes
        self.retries, self.backoff, self.sleep = retries, backoff, sleep
        self.client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                                   follow_redirects=False, headers={"User-Agent": self.agent},
                                   trust_env=False)
        self._robots: dict[str, urllib.robotparser.RobotFileParser | FetchFailed] = {}
        self._last: dict[str, float] = {}  # host -> when its last request started
        self._delay: dict[str, float] = {}  # host -> its robots.txt Crawl-delay, when longer
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def page(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        return self.get(url, PAGE_TYPES, etag, last_modified)

    def feed(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        return self.get(url, FEED_TYPES + PAGE_TYPES + ("text/plain",), etag, last_modified)

    def get(self, url: str, accept: tuple[str, ...], etag: str | None = None,
            last_modified: str | None = None) -> Fetched:
        """GET url (redirects followed, robots.txt obeyed); FetchFailed says why not."""
        seen = [url]
        current = url
        while True:
            self._check(current)
            headers = {"Accept": ", ".join(accept) + ";q=1.0, */*;q=0.1"}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            response, body = self._request(current, headers)
            if response.status_code in REDIRECTS:
                target = response.headers.get("location")
                if not target:
                    raise FetchFailed(url, f"HTTP {response.status_code} redirect without a Location", "bad redirect")
                current = urljoin(current, target)
                if current in seen:
                    raise FetchFailed(url, "redirect loop (" + " → ".join(seen + [current]) + ")", "redirect loop")
                seen.append(current)
                if len(seen) > MAX_REDIRECTS + 1:
                    raise FetchFailed(url, f"more than {MAX_REDIRECTS} redirects", "too many redirects")
                continue
            break
        if response.status_code == 304:
            if not (etag or last_modified):  # nothing was asked conditionally: there is nothing to read
                raise FetchFailed(url, "HTTP 304 to a plain request", "HTTP 304")
            return Fetched(current, b"", None, etag, last_modified, not_modified=True)
        if response.status_code >= 400:
            raise FetchFailed(url, _status_message(response.status_code), f"HTTP {response.status_code}")
        content_type = response.headers.get("content-type", "")
        mime = content_type.split(";")[0].strip().lower()
        if mime and mime not in accept:
            raise FetchFailed(url, f"not a {'feed' if accept[0] in FEED_TYPES else 'web page'} "
                              f"(content type {mime})", "wrong content type")
        return Fetched(current, body, response.charset_encoding, response.headers.get("etag"),
                       response.headers.get("last-modified"))

    def _check(self, url: str) -> None:
        self._check_address(url)
        if not self.allowed(url):
            raise FetchFailed(url, "robots.txt of the site does not allow fetching it", "robots.txt")

    def allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets this bot fetch url (fetched once per site and run)."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            robots = self._robots.get(site)
        if robots is None:
            robots = self._read_robots(site)
            with self._lock:
                self._robots[site] = robots
        if isinstance(robots, FetchFailed):
            raise robots
        return robots.can_fetch(self.agent, url)

    def _read_robots(self, site: str) -> urllib.robotparser.RobotFileParser | FetchFailed:
        parser = urllib.robotparser.RobotFileParser(site + "/robots.txt")
        try:
            response, body = self._request(site + "/robots.txt", {}, redirects=MAX_REDIRECTS)
        except FetchFailed as exc:
            return FetchFailed(site, f"its robots.txt could not be read ({exc.reason}); nothing fetched from it "
                               "this run", "robots.txt unavailable")
        if response.status_code >= 500:
            return FetchFailed(site, f"its robots.txt could not be read ({_status_message(response.status_code)}); "
                               "nothing fetched from it this run", "robots.txt unavailable")
        # No robots.txt (4xx) means everything is allowed.
        lines = body.decode("utf-8", errors="replace").splitlines() if response.status_code < 400 else []
        parser.parse(lines)
        delay = parser.crawl_delay(self.agent)
        if delay:
            with self._lock:
                self._delay[urlsplit(site).netloc] = min(float(delay), 60.0)
        return parser

    def _wait_turn(self, host: str) -> None:
        with self._lock:
            delay = max(self.host_delay, self._delay.get(host, 0.0))
            wait = self._last.get(host, -1e9) + delay - time.monotonic()
            self._last[host] = time.monotonic() + max(wait, 0.0)
        if wait > 0:
            self.sleep(wait)

    def _request(self, url: str, headers: dict[str, str], redirects: int = 0) -> tuple[httpx.Response, bytes]:
        """One GET with retries; the body read up to the size cap. Robots.txt may follow redirects."""
        host = urlsplit(url).netloc
        for attempt in range(self.retries + 1):
            self._wait_turn(host)
            try:
                with self.client.stream("GET", url, headers=headers) as response:
                    if redirects and response.status_code in REDIRECTS and response.headers.get("location"):
                        target = urljoin(url, response.headers["location"])
                        self._check_address(target)
                        return self._request(target, headers, redirects - 1)
                    retry = response.status_code == 429 or response.status_code >= 500
                    if retry and attempt < self.retries:
                        wait = _retry_after(response.headers.get("retry-after"))
                        if wait is not None and wait > MAX_RETRY_AFTER:
                            raise FetchFailed(url, f"the server asks to wait {wait:.0f}s (HTTP {response.status_code}); "
                                              "it is tried again on the next run", f"HTTP {response.status_code}")
                        self.sleep(wait if wait is not None else self.backoff * 2**attempt)
                        continue
                    return response, self._body(url, response)
            except httpx.TimeoutException:
                reason, kind = "timed out", "timeout"
            except httpx.TooManyRedirects:
                raise FetchFailed(url, f"more than {MAX_REDIRECTS} redirects", "too many redirects") from None
            except (httpx.TransportError, httpx.InvalidURL) as exc:
                reason, kind = f"could not connect ({type(exc).__name__})", "connection failed"
            if attempt < self.retries:
                self.sleep(self.backoff * 2**attempt)
        raise FetchFailed(url, f"{reason} after {self.retries + 1} tries", kind)

    def _check_address(self, url: str) -> None:
        try:
            check_address(url, self.allow_private)
        except UrlError as exc:
            raise FetchFailed(url, str(exc).removeprefix(f"{url}: "), "refused address") from None

    def _body(self, url: str, response: httpx.Response) -> bytes:
        if response.status_code >= 300:
            return b""
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchFailed(url, f"{int(declared) / 2**20:.1f} MB is larger than the "
                              f"{self.max_bytes / 2**20:.0f} MB limit for a page", "too large")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchFailed(url, f"larger than the {self.max_bytes / 2**20:.0f} MB limit for a page", "too large")
            chunks.append(chunk)
        return b"".join(chunks)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _status_message(status: int) -> str:
    known = {404: "not found (HTTP 404)", 410: "gone (HTTP 410)", 401: "needs a login (HTTP 401)",
             403: "forbidden (HTTP 403)", 429: "too many requests (HTTP 429), still after retries"}
    return known.get(status, f"HTTP {status}" + (", still after retries" if status >= 500 else ""))
