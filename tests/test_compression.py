"""Text responses travel gzipped to browsers that accept it."""

import gzip

from flask import Response, stream_with_context


def test_pages_are_gzipped_for_browsers_that_accept_it(client):
    response = client.get("/auth/login", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    html = gzip.decompress(response.get_data()).decode()
    assert "<h1>Sign in</h1>" in html


def test_pages_are_plain_for_browsers_that_do_not(client):
    response = client.get("/auth/login")
    assert "Content-Encoding" not in response.headers
    assert "<h1>Sign in</h1>" in response.get_data(as_text=True)


def test_vendored_javascript_is_gzipped(client):
    response = client.get(
        "/static/js/htmx-4.0.1.min.js", headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()).startswith(b"var htmx=")


def test_streamed_responses_pass_untouched(app, database_url):
    from envoycrm import create_app
    from envoycrm.config import TestConfig

    fresh = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)

    @fresh.route("/stream-test")
    def stream():
        def rows():
            for n in range(1000):
                yield f"row {n}\n"

        return Response(stream_with_context(rows()), mimetype="text/csv")

    stream._access = "public"
    response = fresh.test_client().get(
        "/stream-test", headers={"Accept-Encoding": "gzip"}
    )
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True).startswith("row 0\n")
