"""Article URLs: the one form an article's address is known by, and which addresses may be fetched.

The same story reached through two feeds, or re-published with a new tracking parameter, has one
canonical URL, and so is one article.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

from .errors import NewsbotError

SCHEMES = ("http", "https")


class UrlError(NewsbotError):
    """An address that is not a web page the bot may read."""


def canonical(url: str) -> str:
    """The URL an article is known by: scheme and host in lower case, the default port, the fragment and
    tracking parameters (utm_*, fbclid, …) dropped; everything else (path, real query) kept."""
    import courlan

    url = url.strip()
    try:
        normal = courlan.normalize_url(url)
    except (ValueError, AttributeError):
        normal = url
    parts = urlsplit(normal)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def check_address(url: str, allow_private: bool = False) -> None:
    """Raise UrlError unless url is an http(s) address of a public host.

    Loopback, private, link-local and other reserved addresses (a server's own admin pages, a cloud's
    metadata service) are refused unless allow_private (NEWSBOT_ALLOW_PRIVATE_URLS=1) says otherwise.
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in SCHEMES:
        raise UrlError(f"{url}: only http:// and https:// addresses can be fetched")
    host = parts.hostname
    if not host:
        raise UrlError(f"{url}: no host name")
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise UrlError(f"{url}: the port is not a number") from None
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlError(f"{url}: the host name does not resolve ({exc})") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise UrlError(f"{url}: {host} is a private or local address ({address}); "
                           "set NEWSBOT_ALLOW_PRIVATE_URLS=1 to fetch from your own network")


def host_of(url: str) -> str:
    """The host name of a URL without a leading www., e.g. 'antaranews.com'."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
