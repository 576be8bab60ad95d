"""Conformance of the hub REST API to JupyterHub's OpenAPI file, with schemathesis, on a live `pawshub serve`.

One hub (static spawner, seeded users and a group, an admin token from `pawshub token`) serves every
operation of `docs/jupyterhub-rest-api.yml`; each operation gets a bounded number of generated requests
(`HUB_SCHEMATHESIS_EXAMPLES`, default 20) so the file stays well under 3 minutes on 2 cores. Path
parameters are half the time replaced by names that exist, so requests reach past the 404s.

Checks: the hub never answers 5xx and never dies; status codes, content types and response bodies
conform to the spec — except where the spec disagrees with JupyterHub's real behaviour, which the hub
follows (`jupyterhub-contract.md`, referenced per exclusion below as "contract §N").
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import requests
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from conftest import Backend, ProcessRunner, free_port
from hub_fixtures import ADMIN, launch, mint_token, write_config

SPEC = Path(__file__).resolve().parents[2] / "docs" / "jupyterhub-rest-api.yml"
EXAMPLES = int(os.environ.get("HUB_SCHEMATHESIS_EXAMPLES", "20"))
SEEDED_USERS = ["alice", "bob", "carol"]
SEEDED_GROUP = "team"
ALL_CHECKS = {"not_a_server_error": not_a_server_error, "status_code_conformance": status_code_conformance,
              "content_type_conformance": content_type_conformance,
              "response_schema_conformance": response_schema_conformance}

# Operations not fuzzed at all, and why.
SKIPPED = {
    ("POST", "/shutdown"): "stops the hub under test; covered by the hub-core shutdown tests",
}

# Status codes JupyterHub really answers that the spec's operation does not list (contract §5 "Status codes
# that matter", §1 "API error body"): 400 for invalid input, 404 for unknown users/servers/groups/tokens,
# 409 for conflicts. A generated request with a random name or a bad body gets those codes, correctly.
CONTRACT_STATUS = "status codes not in the spec that JupyterHub answers: contract §5 (400/404/409), §1"
# Codes the contract adds to every operation that takes names or a body (contract §5 "Status codes that
# matter": 400 invalid input, 404 unknown user/server/group/token/share, 409 conflicts; 429 spawn throttling,
# §5 and bench/hub README). status_code_conformance still fails on any other undocumented code (403, 5xx, …).
CONTRACT_EXTRA_CODES = {400, 404, 409, 429}
# Per-operation additions: a bad client secret is `401 {"error": "invalid_client"}` (contract §8, token endpoint).
OPERATION_EXTRA_CODES = {("POST", "/oauth2/token"): {401}}
# (method, path) -> {check name: reason}
EXCLUDED: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/services"): {"response_schema_conformance": "a dict name -> model, not a list: contract §5, §14"},
    # Always 404 in JupyterHub 6 (contract §5, §14), which the spec does not list.
    ("POST", "/authorizations/token"): {"status_code_conformance": "always 404: contract §5, §14"},
}
# Model fields the spec types as non-null that JupyterHub answers as null when unset (contract §1
# "Timestamps ... null if unset", §6 models: `server` null unless ready, `pending` null, `auth_state` null
# in lists, token `expires_at`/`last_activity`/`note`/`session_id` null). The spec copy used here is patched
# to allow null for exactly these, so the rest of each body is still validated.
NULLABLE_FIELDS = {"server", "pending", "last_activity", "auth_state", "started", "expires_at", "note",
                   "session_id", "full_url", "full_progress_url", "oauth_client", "created_at", "display_name"}


def operations() -> list[tuple[str, str]]:
    spec = yaml.safe_load(SPEC.read_text())
    found = []
    for path, item in spec["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                found.append((method.upper(), path))
    return found


@pytest.fixture(scope="module")
def conformance_hub(pawshub_bin: str, tmp_path_factory):
    directory = tmp_path_factory.mktemp("conformance")
    runner = ProcessRunner(directory)
    backend = Backend("singleuser")
    import threading
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    hub_port, public_port = free_port(), free_port()
    database = directory / "hub.sqlite"
    config = write_config(directory, hub_port=hub_port, public_port=public_port, static_url=backend.url,
                          database=database, hub_traits=("allow_named_servers: true",))
    token = mint_token(pawshub_bin, config)
    try:
        hub = launch(pawshub_bin, runner, directory, config, database, hub_port, public_port, token)
        assert hub.api("POST", "/users", {"usernames": SEEDED_USERS}).status_code == 201
        assert hub.api("POST", f"/groups/{SEEDED_GROUP}", {"users": ["alice"]}).status_code == 201
        assert hub.api("POST", "/users/alice/server").status_code in (201, 202)
        yield hub
    finally:
        runner.stop_all()
        backend.shutdown()
        backend.server_close()


def allow_null(node) -> None:
    """Makes every property named in NULLABLE_FIELDS also accept null, anywhere in the spec."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name, prop in properties.items():
                if name in NULLABLE_FIELDS and isinstance(prop, dict):
                    kind = prop.get("type")
                    if isinstance(kind, str):
                        prop["type"] = [kind, "null"]
                    if isinstance(prop.get("enum"), list) and None not in prop["enum"]:
                        prop["enum"] = [*prop["enum"], None]
        for value in node.values():
            allow_null(value)
    elif isinstance(node, list):
        for value in node:
            allow_null(value)


@pytest.fixture(scope="module")
def schema():
    # YAML turns the spec's unquoted example timestamps into datetime objects; JSON keeps them the strings they are.
    spec = json.loads(json.dumps(yaml.safe_load(SPEC.read_text()), default=str))
    allow_null(spec)
    return schemathesis.openapi.from_dict(spec)


def contract_status_conformance(ctx, response, case):
    """status_code_conformance, also accepting the codes the contract adds (CONTRACT_EXTRA_CODES and per operation)."""
    extra = CONTRACT_EXTRA_CODES | OPERATION_EXTRA_CODES.get((case.method.upper(), case.operation.path), set())
    if response.status_code in extra:
        return None
    return status_code_conformance(ctx, response, case)


def protects_the_harness(case) -> bool:
    """Requests that would delete or demote the admin whose token drives the test."""
    name = (case.path_parameters or {}).get("name")
    return name == ADMIN and case.method in ("DELETE", "PATCH")


@pytest.mark.parametrize("method,path", operations(), ids=lambda v: v if isinstance(v, str) else None)
def test_operation_conforms(conformance_hub, schema, method, path):
    if (method, path) in SKIPPED:
        pytest.skip(SKIPPED[(method, path)])
    hub = conformance_hub
    operation = schema[path][method]
    excluded = EXCLUDED.get((method, path), {})
    checks = [check for name, check in ALL_CHECKS.items() if name not in excluded]
    if "status_code_conformance" not in excluded:
        checks = [contract_status_conformance if c is status_code_conformance else c for c in checks]
    failures: list[str] = []
    names = st.sampled_from(SEEDED_USERS + [None])

    @given(case=operation.as_strategy(), name=names, group=st.sampled_from([SEEDED_GROUP, None]))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case, name, group):
        params = case.path_parameters
        if params:
            if "name" in params and name is not None:
                params["name"] = name if "/groups/" not in path else (group or params["name"])
            if "owner" in params and name is not None:
                params["owner"] = "alice"
        if protects_the_harness(case):
            return
        try:
            response = case.call(base_url=f"{hub.url}/hub/api", headers={"Authorization": f"token {hub.token}"},
                                 timeout=30)
        except requests.RequestException as error:
            failures.append(f"{case.method} {case.formatted_path}: no answer ({error})")
            return
        try:
            case.validate_response(response, checks=checks)
        except Exception as error:  # schemathesis raises a group of check failures
            failures.append(f"{case.method} {case.formatted_path} -> {response.status_code} "
                            f"{response.text[:300]!r}\n{error}"[:1500])

    run()
    assert hub.process.poll() is None, f"the hub died\n{hub.output()[-3000:]}"
    assert requests.get(f"{hub.url}/hub/health", timeout=5).status_code == 200
    assert not failures, f"{len(failures)} non-conforming answers:\n" + "\n".join(failures[:5])
