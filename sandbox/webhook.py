"""The webhook a bot sets: its state, the WebhookInfo it reports, and the rules its URL must meet.

Telegram wants an https URL on port 80, 88, 443 or 8443 of a public address; a sandbox created
with ``loopback_http_webhooks=True`` also admits http:// to a loopback host on any port, for a
bot running beside the tests. Delivering updates to it is :mod:`sandbox.webhook_delivery`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from .model import JSON, bad_request

__all__ = ["Webhook", "check_webhook_url"]

_WEBHOOK_PORTS = (80, 88, 443, 8443)
_BAD_PORT = "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"


@dataclass
class Webhook:
    """The webhook set with setWebhook: where updates go and how the last delivery went.

    A new setWebhook replaces the object, which is how a delivery in progress (and its
    backoff) notices that the webhook changed.
    """

    url: str
    secret_token: str | None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None

    def info(self, pending: int, allowed_updates: frozenset[str]) -> JSON:
        """The WebhookInfo object getWebhookInfo answers."""
        info: JSON = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": self.max_connections,
            "allowed_updates": sorted(allowed_updates),
        }
        if self.ip_address is not None:
            info["ip_address"] = self.ip_address
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message or ""
        return info


def check_webhook_url(url: str, *, loopback_http_webhooks: bool) -> None:
    """Raise setWebhook's 400 for a URL Telegram would refuse (see the module docstring)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("http", "https"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    try:
        port = parts.port
    except ValueError:
        raise bad_request(_BAD_PORT) from None
    loopback = _is_loopback(host)
    if loopback and loopback_http_webhooks:
        return
    if parts.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if (port or 443) not in _WEBHOOK_PORTS:
        raise bad_request(_BAD_PORT)
    try:
        ip = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError:
        return  # a host name: the sandbox resolves none
    if not ip.is_global:
        raise bad_request(f"bad webhook: IP address {ip} is reserved")


def _is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
