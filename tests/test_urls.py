"""Links written for others are built on the public address, not the request."""

from envoycrm.urls import absolute_url


def test_links_use_the_public_address_and_scheme(app):
    app.config["BASE_URL"] = "https://envoy.example.gov.cn/crm"
    with app.test_request_context("http://10.0.0.5:8000/"):
        assert absolute_url("main.home") == "https://envoy.example.gov.cn/crm/"
    assert absolute_url("main.privacy", lang="en") == (
        "https://envoy.example.gov.cn/crm/privacy/en"
    )
