#!/usr/bin/env python3
"""Fuzz Tandem's HTTP API with Schemathesis, against a real server, on each backend.

    tests/schemathesis/run.py [--backend embedded|postgres|all] [--server target/debug/tandem]

Starts the built server (the embedded default: SQLite and files in a temporary directory; or
PostgreSQL and Redis at TEST_DATABASE_URL and TEST_REDIS_URL, in a database of its own), then
runs `schemathesis run` with every check on the document the server serves: any server error,
undocumented status, response the schema rejects, valid request refused, invalid request
accepted, wrong `Allow`, or authenticated operation answering without credentials fails the
run. `schemathesis.toml` beside this file holds the settings and the few statuses the schema
cannot express (each with its reason). Exits non-zero on any failure.
"""

import argparse
import email
import email.policy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited ({server.returncode}) before answering:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    sys.exit(f"the server did not answer at {url} within 60 s:\n{log.read_text()}")


def call(url: str, method: str, path: str, body=None, token: str | None = None, raw: bytes | None = None,
         content_type: str = "application/json") -> dict:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(f"{url}{path}", data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else {}


def invitation_token(data_dir: Path, address: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for mail in sorted((data_dir / "mail").glob("*.eml")) if (data_dir / "mail").exists() else []:
            message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            text = body.get_content() if body else ""
            if address in str(message["To"]):
                found = re.search(r"/invite\?token=([A-Za-z0-9_-]+)", text)
                if found:
                    return found.group(1)
        time.sleep(0.2)
    sys.exit(f"no invitation mail to {address} under {data_dir / 'mail'} within 30 s")


def fixture(url: str, env: dict, data_dir: Path) -> dict:
    """An organization with something in it, for the run that names real resources: its admin
    (whose login the hooks use), a member, a public channel with a message and a file.
    Returns the ids, by parameter name."""
    tag = uuid.uuid4().hex[:8]
    domain = f"fixture{tag}.example"
    password = "fuzzing-tandem-api-key-7"
    admin = {"email": f"admin@{domain}", "username": f"admin{tag}", "password": password,
             "organization_name": "Fuzzing fixture"}
    call(url, "POST", "/api/v1/auth/register", admin)
    token = call(url, "POST", "/api/v1/auth/login", {"email": admin["email"], "password": password})["access_token"]
    # The member is invited, as an admin brings someone in; the invitation is read from the
    # mail the server writes under its data directory (no SMTP server is configured).
    call(url, "POST", "/api/v1/invitations", {"email": f"member@{domain}", "channel_ids": []}, token)
    invitation = invitation_token(data_dir, f"member@{domain}")
    member = call(url, "POST", "/api/v1/auth/invitations/accept",
                  {"token": invitation, "username": f"member{tag}", "password": password})["user"]
    channel = call(url, "POST", "/api/v1/channels", {"name": f"fuzz-{tag}", "type": "public"}, token)
    message = call(url, "POST", f"/api/v1/channels/{channel['id']}/messages",
                   {"content": "Fuzz me :thumbsup:", "client_msg_id": f"fixture-{tag}"}, token)
    boundary = uuid.uuid4().hex
    upload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n"
              f"Content-Type: text/plain\r\n\r\nsome notes\r\n--{boundary}--\r\n").encode()
    shared = call(url, "POST", f"/api/v1/channels/{channel['id']}/files", raw=upload, token=token,
                  content_type=f"multipart/form-data; boundary={boundary}")
    env["TANDEM_FUZZ_LOGIN"] = admin["email"]
    return {
        "channel_id": channel["id"],
        "message_id": message["id"],
        "user_id": member["id"],
        "file_id": shared["attachments"][0]["id"],
    }


def psql(database_url: str, sql: str) -> None:
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", database_url, "-c", sql], check=True)


def run(backend: str, server_binary: Path, schemathesis: str, extra: list[str]) -> int:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tag = uuid.uuid4().hex[:12]
    data_dir = Path(tempfile.mkdtemp(prefix=f"tandem-fuzz-{backend}-"))
    env = dict(os.environ)
    env.update(
        {
            "TANDEM_ADDR": f"127.0.0.1:{port}",
            "TANDEM_DATA_DIR": str(data_dir),
            "RUST_LOG": "warn",
            # The fuzzer signs up a new admin whenever one of its tokens stops working.
            "TANDEM_AUTH__MAX_REGISTRATIONS_PER_ADDRESS_PER_HOUR": "100000",
            "TANDEM_AUTH__BCRYPT_COST": "4",
            # Webhooks and commands the fuzzer makes must reach nothing: no host is allowed.
            "TANDEM_INTEGRATIONS__ALLOW_PUBLIC_ADDRESSES": "false",
            # Budgets the run never spends: the limiter's own answers are tested in
            # tests/api/limits.rs; here every request should reach the handler it fuzzes.
            "TANDEM_LIMITS__REQUESTS_PER_MINUTE": "1000000",
            "TANDEM_LIMITS__ANONYMOUS_REQUESTS_PER_MINUTE": "1000000",
            "TANDEM_LIMITS__SIGN_IN_REQUESTS_PER_MINUTE": "1000000",
            "TANDEM_LIMITS__SEARCHES_PER_MINUTE": "1000000",
            "TANDEM_LIMITS__INVITATIONS_PER_HOUR": "1000000",
        }
    )
    database = None
    if backend == "postgres":
        server_url = os.environ.get("TEST_DATABASE_URL")
        redis_url = os.environ.get("TEST_REDIS_URL")
        if not server_url or not redis_url:
            sys.exit("TEST_DATABASE_URL and TEST_REDIS_URL are needed for the postgres backend")
        database = f"tandem_fuzz_{tag}"
        psql(server_url, f"CREATE DATABASE {database}")
        base, _, _ = server_url.rpartition("/")
        env["TANDEM_DATABASE_URL"] = f"{base}/{database}"
        env["TANDEM_REDIS_URL"] = redis_url
        env["TANDEM_REDIS_NAMESPACE"] = f"tandem-fuzz-{tag}"
        env["TANDEM_AUTH__JWT_SECRET"] = f"fuzzing-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}"

    log = data_dir / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen([str(server_binary), "serve"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(url, server, log)
        env["TANDEM_FUZZ_URL"] = url
        config = (HERE / "schemathesis.toml").read_text().replace('hooks = "hooks.py"', f'hooks = "{HERE / "hooks.py"}"')
        # Twice: ids as the fuzzer makes them up (every check of what is refused), then the
        # ids of an organization that exists (every check of what is done), as its admin.
        passes = [("made-up ids", config, {})]
        ids = fixture(url, env, data_dir)
        named = config + "\n[parameters]\n" + "".join(f"{name} = {value}\n" for name, value in ids.items())
        passes.append((f"real ids {ids}", named, {"TANDEM_FUZZ_LOGIN": env.pop("TANDEM_FUZZ_LOGIN")}))
        result = 0
        for title, text, extra_env in passes:
            print(f"\n==> schemathesis against {backend} ({url}), {title}", flush=True)
            config_file = data_dir / "schemathesis.toml"
            config_file.write_text(text)
            command = [schemathesis, "--config-file", str(config_file), "run", f"{url}/api/v1/openapi.json", *extra]
            # Run from the temporary directory: Schemathesis keeps its cache (`.schemathesis`)
            # where it runs.
            result |= subprocess.run(command, env={**env, **extra_env}, cwd=data_dir).returncode
        if server.poll() is not None:
            print(f"the server stopped during the run ({server.returncode}):\n{log.read_text()}")
            return 1
        return result
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if database:
            psql(os.environ["TEST_DATABASE_URL"], f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["embedded", "postgres", "all"], default="all")
    parser.add_argument("--server", default=str(ROOT / "target" / "debug" / "tandem"))
    parser.add_argument("--schemathesis", default="schemathesis")
    parser.add_argument("extra", nargs="*", help="more `schemathesis run` options, after --")
    args = parser.parse_args()
    backends = ["embedded", "postgres"] if args.backend == "all" else [args.backend]
    # Schemathesis runs from a temporary directory: a relative path given here means the caller's.
    if os.sep in args.schemathesis:
        args.schemathesis = os.path.abspath(args.schemathesis)
    failed = [b for b in backends if run(b, Path(args.server), args.schemathesis, args.extra) != 0]
    if failed:
        print(f"\nschemathesis found failures on: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
