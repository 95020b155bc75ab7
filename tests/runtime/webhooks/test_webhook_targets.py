"""Which URLs a webhook may call: http(s) only, no credentials, and the admin allowlist."""

from __future__ import annotations

import pytest

from runtime.webhooks import TargetRefused, check_target
from runtime.webhooks.targets import parse_allowlist


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://erp.local/x", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("https://", "scheme"),
        ("https://user:pw@erp.local/", "credentials"),
    ],
)
def test_only_plain_http_and_https_urls(url: str, code: str) -> None:
    with pytest.raises(TargetRefused) as refused:
        check_target(url, [])
    assert refused.value.code == code


def test_without_an_allowlist_private_addresses_are_allowed() -> None:
    assert check_target(" http://10.1.2.3:8080/hook ", []) == "http://10.1.2.3:8080/hook"
    assert check_target("http://localhost/hook", []) == "http://localhost/hook"


def test_allowlist_names_wildcards_and_networks() -> None:
    allowed = parse_allowlist("ERP.example.com, *.corp.example.com\n127.0.0.0/8\n\n")
    assert allowed == ["erp.example.com", "*.corp.example.com", "127.0.0.0/8"]
    assert check_target("https://erp.example.com/x", allowed)
    assert check_target("https://crm.corp.example.com/x", allowed)
    assert check_target("http://127.0.0.1:9000/x", allowed)
    assert check_target("http://localhost:9000/x", allowed)  # resolves into 127.0.0.0/8
    for url in ("https://example.com/", "http://10.0.0.1/", "https://corp.example.com.evil.io/"):
        with pytest.raises(TargetRefused) as refused:
            check_target(url, allowed)
        assert refused.value.code == "not_allowed"


def test_a_malformed_network_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_allowlist("10.0.0.0/33")
