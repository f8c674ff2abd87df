"""Schemathesis hooks for Tandem's API fuzzing (loaded through `schemathesis.toml`).

Every authenticated request carries the access token of an admin: the fixture's admin when the
run names the fixture's resources, else one who founded an organization of their own. The
fuzzer itself logs out, ends sessions, resets passwords and deactivates accounts, so a token
stops working now and then: on a 401 the provider logs in again, or, when that no longer
works, signs up someone new (a fresh address at a fresh domain), and the run goes on as them.
"""

import itertools
import os
import uuid

import requests
import schemathesis

BASE_URL = os.environ["TANDEM_FUZZ_URL"]
PASSWORD = "fuzzing-tandem-api-key-7"
_people = itertools.count(1)


def sign_up() -> str:
    n = next(_people)
    tag = uuid.uuid4().hex[:10]
    email = f"fuzzer{n}@f{tag}.example"
    response = requests.post(
        f"{BASE_URL}/api/v1/auth/register",
        json={
            "email": email,
            "username": f"fuzzer{n}{tag}",
            "password": PASSWORD,
            "organization_name": f"Fuzz {tag}",
        },
        timeout=10,
    )
    response.raise_for_status()
    # Where addresses are proven (the default), signing up does not sign in: log in.
    token = response.json().get("access_token") or log_in(email)
    if token is None:
        raise RuntimeError(f"{email} could not log in after signing up")
    return token


def log_in(login: str) -> str | None:
    response = requests.post(
        f"{BASE_URL}/api/v1/auth/login",
        json={"email": login, "password": PASSWORD},
        timeout=10,
    )
    return response.json().get("access_token") if response.ok else None


@schemathesis.auth(refresh_interval=600)
class Admin:
    """The fixture's admin when the run names the fixture's resources (TANDEM_FUZZ_LOGIN), for
    as long as their password opens the account; then, or otherwise, someone new."""

    def get(self, case, ctx):
        login = os.environ.get("TANDEM_FUZZ_LOGIN")
        return (login and log_in(login)) or sign_up()

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
