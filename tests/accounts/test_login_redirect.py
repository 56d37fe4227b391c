"""After login only a path on this site is followed (security review, finding 2)."""

import pytest
from conftest import PASSWORDS, csrf_token


def _login_to(client, query: str):
    page = client.get("/beheer/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post(
        f"/beheer/login?{query}",
        data={"username": "beheerder", "password": PASSWORDS["beheerder"], "csrf_token": token},
    )


@pytest.mark.parametrize(
    "query",
    [
        "next=/%09/evil.example",  # a tab: browsers drop it and read //evil.example
        "next=/%0a/evil.example",  # a newline, the same; before this gave a 500
        "next=/%0d/evil.example",
        "next=%20//evil.example",
        "next=/%5Cevil.example",  # a backslash is a slash to a browser
        "next=%5C%5Cevil.example",
        "next=https://evil.example/beheer",
        "next=//evil.example",
        "next=/%00/x",
        "next=javascript:alert(1)",
    ],
)
def test_login_never_sends_you_to_another_site(client, query):
    response = _login_to(client, query)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/beheer/", location


def test_login_goes_back_to_the_page_you_wanted(client):
    response = _login_to(client, "next=/beheer/rondes")
    assert response.status_code == 302
    assert response.headers["Location"] == "/beheer/rondes"
