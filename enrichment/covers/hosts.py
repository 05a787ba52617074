"""Where a cover (or an author's photo) may be fetched from: the host allowlist and the
address check.

The allowlist is the providers' cover hosts (Wikimedia's for Wikidata's photos) plus
COVER_ALLOWED_HOSTS. A host the operator named (a provider *_URL setting changed from its public
default, or COVER_ALLOWED_HOSTS) may use plain http and may resolve to a private address: that
is how a local mirror works. Every other host, the default provider hosts included, must be
https on port 443 and every address its name resolves to must be public.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna
from django.conf import settings

from enrichment.covers.errors import CoverRejected, RejectionReason
from enrichment.faults import host_and_port

#: Public hosts the providers serve cover images from (beyond their *_URL settings' hosts).
PROVIDER_COVER_HOSTS = (
    "books.google.com",  # Google Books imageLinks
    "books.googleusercontent.com",
    "images.isbndb.com",
    # Wikidata's author photos: Commons' Special:FilePath (WIKIMEDIA_COMMONS_URL) redirects here.
    "upload.wikimedia.org",
)
#: Domains whose every subdomain serves covers: Open Library's covers redirect to Archive.org's
#: download hosts (ia800123.us.archive.org and the like).
PROVIDER_COVER_DOMAINS = ("archive.org",)
#: The provider settings whose hosts the operator configured.
PROVIDER_URL_SETTINGS = (
    "OPENLIBRARY_COVERS_URL",
    "OPENLIBRARY_URL",
    "ARCHIVE_ORG_URL",
    "GOOGLE_BOOKS_URL",
    "ISBNDB_URL",
    "WIKIMEDIA_COMMONS_URL",
)
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class HostRule:
    host: str
    port: int | None  # None: any port (an operator's COVER_ALLOWED_HOSTS entry without one)
    subdomains: bool = False
    operator: bool = False  # named by the operator: http and private addresses allowed

    def matches(self, host: str, port: int) -> bool:
        host_matches = host == self.host or (self.subdomains and host.endswith("." + self.host))
        return host_matches and self.port in (None, port)


@dataclass(frozen=True, slots=True)
class CoverLocation:
    """A checked cover URL: on the allowlist, with its effective port."""

    url: str
    scheme: str
    host: str
    port: int
    operator: bool


def cover_host_rules() -> list[HostRule]:
    """The allowlist, operator rules first (they are the more permissive match)."""
    rules = []
    defaults = getattr(settings, "PROVIDER_URL_DEFAULTS", {})
    for name in PROVIDER_URL_SETTINGS:
        value = (getattr(settings, name, "") or "").rstrip("/")
        parts = _split(value)
        if parts and parts.hostname:
            # A default public host is on the allowlist, but only an operator's own choice
            # may point at a private address.
            operator = value != defaults.get(name, "").rstrip("/")
            rules.append(HostRule(_norm(parts.hostname), _port(parts), operator=operator))
    for entry in getattr(settings, "COVER_ALLOWED_HOSTS", []) or []:
        rule = _operator_rule(entry)
        if rule:
            rules.append(rule)
    rules += [HostRule(host, 443) for host in PROVIDER_COVER_HOSTS]
    rules += [HostRule(domain, 443, subdomains=True) for domain in PROVIDER_COVER_DOMAINS]
    return rules


def is_operator_host(host: str, port: int) -> bool:
    return any(rule.operator and rule.matches(_norm(host), port) for rule in cover_host_rules())


def check_cover_url(url: str) -> CoverLocation:
    """The URL's location if a cover may be fetched from it, else CoverRejected."""
    parts = _split(url)
    if parts is None or parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise CoverRejected(RejectionReason.BAD_URL, f"not an http(s) URL: {url[:200]!r}")
    if carries_login(url):
        raise CoverRejected(RejectionReason.BAD_URL, "URL carries credentials")
    port = _port(parts)
    if port is None:
        raise CoverRejected(RejectionReason.BAD_URL, f"bad port in {url[:200]!r}")
    host = _norm(parts.hostname)
    rules = cover_host_rules()
    rule = next((r for r in rules if r.matches(host, port)), None)
    if rule is None and parts.scheme == "http" and any(r.matches(host, 443) for r in rules):
        raise CoverRejected(RejectionReason.NOT_HTTPS, f"plain http to {host}")
    if rule is None or not rule.operator:
        literal = _ip_or_none(host)
        if literal is not None and not is_public_address(literal):
            raise CoverRejected(RejectionReason.PRIVATE_ADDRESS, f"{host} is not a public address")
    if rule is None:
        raise CoverRejected(
            RejectionReason.HOST_NOT_ALLOWED, f"{host_and_port(host, port)} is not a cover host"
        )
    if parts.scheme != "https" and not rule.operator:
        raise CoverRejected(RejectionReason.NOT_HTTPS, f"plain http to {host}")
    return CoverLocation(url, parts.scheme, host, port, rule.operator)


def upgrade_to_https(url: str) -> str:
    """An http URL on a public cover host, as https (Google Books hands out http:// links).

    Applied to every URL a download asks, the first and each redirect's: a public host is asked
    over https only, whatever scheme its URL or a redirect names."""
    parts = _split(url)
    if parts is None or parts.scheme != "http" or not parts.hostname:
        return url
    if parts.port is not None or is_operator_host(parts.hostname, 80):
        return url
    return parts._replace(scheme="https").geturl()


def downgrades(url: str, target: str) -> bool:
    """Whether going from `url` to `target` leaves https for plain http. Never followed, not
    even to a host that may use plain http: an answer that came over plain http could have been
    changed on the way (covers and providers' redirects both refuse it)."""
    return urlsplit(target).scheme == "http" and urlsplit(url).scheme == "https"


def resolve_host(host: str, port: int) -> tuple[str, ...]:
    """Every address the name resolves to (one DNS lookup)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise CoverRejected(RejectionReason.DNS_ERROR, f"{host}: {error}", retryable=True) from None
    # str(): typeshed allows a non-IP family's int here; IPv4 and IPv6 give the address text.
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise CoverRejected(RejectionReason.DNS_ERROR, f"{host} has no address")
    return addresses


def vetted_addresses(host: str, port: int, *, operator: bool | None = None) -> tuple[str, ...]:
    """The addresses to connect to: all of them public, unless the operator named the host."""
    if operator is None:
        operator = is_operator_host(host, port)
    # The name requests connects to (IDNA 2008): Python's own codec (2003) reads "faß" as "fass".
    addresses = resolve_host(_norm(host), port)
    if not operator:
        # One private record is enough to refuse: the client would pick any of them.
        for address in addresses:
            if not is_public_address(address):
                raise CoverRejected(
                    RejectionReason.PRIVATE_ADDRESS, f"{host} resolves to {address}"
                )
    return addresses


def is_public_address(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """False for private, loopback, link-local, multicast, reserved, unspecified and shared
    addresses, and for IPv6 forms that embed one (IPv4-mapped, 6to4, Teredo, NAT64)."""
    ip = address if not isinstance(address, str) else _ip_or_none(address)
    if ip is None:
        return False
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    ):
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None]
        if ip in ipaddress.ip_network("64:ff9b::/96"):
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        return all(inner is None or is_public_address(inner) for inner in embedded)
    return True


def carries_login(url: str) -> bool:
    """Whether a URL (or a COVER_ALLOWED_HOSTS entry, "host:port" without a scheme) names a
    login, user:password@. A cover URL is data, stored and shown with its proposal: one with a
    login is refused (bad_url), and so is a setting that would build them (enrichment.E007)."""
    parts = _split(url if "//" in url else "//" + url)
    return parts is not None and (parts.username is not None or parts.password is not None)


def _operator_rule(entry: str) -> HostRule | None:
    """A COVER_ALLOWED_HOSTS entry: "host", "host:port", "*.domain" or a URL."""
    entry = entry.strip()
    if not entry:
        return None
    subdomains = entry.startswith("*.")
    if subdomains:
        entry = entry[2:]
    if "//" in entry:  # a URL: its port, or its scheme's
        parts = _split(entry)
        port = _port(parts) if parts else None
    else:  # a bare host: any port unless it names one
        parts = _split("//" + entry)
        port = parts.port if parts else None
    if parts is None or not parts.hostname:
        return None
    return HostRule(_norm(parts.hostname), port, subdomains=subdomains, operator=True)


def _split(url: str):
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return None
    return parts


def _port(parts) -> int | None:
    try:
        return parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None


def _norm(host: str) -> str:
    """A host name as it is connected to: lower case, no final dot, IDNA (xn--) for a name in
    other letters, as requests encodes it: "bücher.example" and "xn--bcher-kva.example" are one
    host, whichever of them the allowlist or the URL spells."""
    host = host.lower().rstrip(".")
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:  # no name a connection could use: left as it is, to match nothing
        return host


def _ip_or_none(text: str):
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
