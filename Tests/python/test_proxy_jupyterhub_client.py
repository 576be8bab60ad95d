"""`pawshub proxy` driven by JupyterHub's own proxy client (`jupyterhub.proxy.ConfigurableHTTPProxy`).

JupyterHub talks to configurable-http-proxy through this class; if it works unchanged against
`pawshub proxy`, a hub can use PawsHub's proxy as a drop-in. Routes are added and listed through the
client, traffic goes through the public port to small recording backends, and the REST API is also
read raw where the client hides details (`inactive_since`, status codes).
"""
from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import ClientResponseError
from jupyterhub.httpclient import JupyterHubHTTPClient
from jupyterhub.proxy import ConfigurableHTTPProxy

from http_helpers import api, iso_now, parse_activity, request, route_activity

# Long enough that two last_activity stamps (millisecond resolution) differ.
TICK = 0.05
# pawshub writes a route's last_activity at most once a second (CHP writes on every event); waiting longer
# than that before traffic makes "it moved" and "it did not move" both meaningful.
ACTIVITY_WAIT = 1.1


def with_hub_client(proxy, scenario, token: str | None = None):
    """Run `scenario(client)` with a ConfigurableHTTPProxy pointed at `proxy`, as a hub configures it."""
    async def main():
        client = ConfigurableHTTPProxy(should_start=False, api_url=proxy.api_url,
                                       auth_token=token if token is not None else proxy.token)
        try:
            return await scenario(client)
        finally:
            await JupyterHubHTTPClient.loop_instance().close()
    return asyncio.run(main())


def add_routes(proxy, routes: dict[str, tuple[str, dict]]) -> None:
    async def scenario(client):
        for routespec, (target, data) in routes.items():
            await client.add_route(routespec, target, dict(data))
    with_hub_client(proxy, scenario)


def proxied(proxy, path: str, method: str = "GET", body=None, headers=None):
    """A request through the proxy's public port; returns (reply, what the backend saw or None)."""
    reply = request(proxy.port, method, path, body=body, headers=headers)
    seen = reply.json() if reply.headers.get("content-type") == "application/json" else None
    return reply, seen


@pytest.fixture
def hub_layout(start_proxy, backend_factory):
    """A proxy with the routes a hub adds: the hub catch-all, default and named servers, odd names."""
    proxy = start_proxy()
    backends = {name: backend_factory(name) for name in ("hub", "alice", "alice-nb1", "a b", "x@y")}
    routes = {
        "/": (backends["hub"].url, {"hub": True}),
        "/user/alice/": (backends["alice"].url, {"user": "alice", "server_name": ""}),
        "/user/alice/nb1/": (backends["alice-nb1"].url, {"user": "alice", "server_name": "nb1"}),
        # JupyterHub escapes user names with quote(name, safe="@~") when it builds routespecs.
        "/user/a%20b/": (backends["a b"].url, {"user": "a b", "server_name": ""}),
        "/user/x@y/": (backends["x@y"].url, {"user": "x@y", "server_name": ""}),
    }
    add_routes(proxy, routes)
    return proxy, backends, routes


def test_routes_added_by_the_hub_client_list_back_in_routespec_form_with_their_data(hub_layout):
    proxy, _, routes = hub_layout
    listed = with_hub_client(proxy, lambda client: client.get_all_routes())
    assert set(listed) == set(routes)
    for routespec, (target, data) in routes.items():
        entry = listed[routespec]
        assert entry["routespec"] == routespec
        assert entry["target"] == target
        for key, value in data.items():
            assert entry["data"][key] == value, f"{routespec}: data[{key!r}]"
        parse_activity(entry["data"]["last_activity"])

    one = with_hub_client(proxy, lambda client: client.get_route("/user/a%20b/"))
    assert one is not None and one["target"] == routes["/user/a%20b/"][0]
    assert with_hub_client(proxy, lambda client: client.get_route("/user/nobody/")) is None


def test_the_raw_table_keys_routes_by_decoded_path_and_the_client_skips_foreign_routes(hub_layout,
                                                                                         backend_factory):
    proxy, _, _ = hub_layout
    other = backend_factory("other")
    assert api(proxy, "POST", "/api/routes/not-the-hub", {"target": other.url}).status == 201
    table = api(proxy, "GET", "/api/routes").json()
    assert set(table) == {"/", "/user/alice", "/user/alice/nb1", "/user/a b", "/user/x@y", "/not-the-hub"}
    assert table["/user/a b"]["jupyterhub"] is True
    listed = with_hub_client(proxy, lambda client: client.get_all_routes())
    assert "/not-the-hub/" not in listed


def test_requests_reach_the_longest_whole_segment_match_with_the_raw_url(hub_layout):
    proxy, _, _ = hub_layout
    cases = {
        "/user/alice/lab/tree?x=1&y=%2F": "alice",
        "/user/alice/nb1/api/kernels": "alice-nb1",
        "/user/alice": "alice",
        "/user/alicex/": "hub",
        "/user/a%20b/api/contents?content=1": "a b",
        "/user/x%40y/files/a%20file.txt": "x@y",
        "/user/x@y/files": "x@y",
        "/hub/login?next=%2Fhub%2F": "hub",
        "/": "hub",
    }
    for path, backend in cases.items():
        reply, seen = proxied(proxy, path)
        assert reply.status == 200, f"{path} → {reply.status}"
        assert seen["backend"] == backend, f"{path} went to {seen['backend']}"
        assert seen["path"] == path, "the proxy must forward the URL as the client sent it"


def test_forwarded_requests_carry_host_and_x_forwarded_headers_and_the_body(hub_layout):
    proxy, _, _ = hub_layout
    host = f"127.0.0.1:{proxy.port}"
    reply, seen = proxied(proxy, "/user/alice/api/contents/n.ipynb", method="PUT", body='{"type": "notebook"}',
                          headers={"Host": host, "X-Forwarded-For": "192.0.2.7",
                                   "Content-Type": "application/json"})
    assert reply.status == 200
    headers = seen["headers"]
    assert seen["method"] == "PUT" and seen["body"] == '{"type": "notebook"}'
    assert headers["host"] == host, "Host is passed through unchanged"
    # Existing X-Forwarded-For values are kept and the client's address appended.
    assert [part.strip() for part in headers["x-forwarded-for"].split(",")] == ["192.0.2.7", "127.0.0.1"]
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-port"] == str(proxy.port)
    assert headers["x-forwarded-host"] == host


def test_last_activity_moves_only_on_successful_traffic_and_filters_inactive_since(start_proxy,
                                                                                   backend_factory):
    proxy = start_proxy()
    backend = backend_factory("user")
    add_routes(proxy, {"/user/bob/": (backend.url, {"user": "bob", "server_name": ""})})
    time.sleep(TICK)
    add_routes(proxy, {"/user/alice/": (backend.url, {"user": "alice", "server_name": ""})})
    time.sleep(TICK)
    cutoff = iso_now()
    time.sleep(ACTIVITY_WAIT)
    alice_before, bob_before = route_activity(proxy, "/user/alice"), route_activity(proxy, "/user/bob")

    assert proxied(proxy, "/user/alice/api/status")[0].status == 200
    alice_after = route_activity(proxy, "/user/alice")
    assert alice_after > alice_before
    assert route_activity(proxy, "/user/bob") == bob_before

    # The hub client reports the same stamp it would import as activity.
    listed = with_hub_client(proxy, lambda client: client.get_all_routes())
    assert parse_activity(listed["/user/alice/"]["data"]["last_activity"]) == alice_after

    inactive = api(proxy, "GET", f"/api/routes?inactive_since={cutoff}")
    assert inactive.status == 200 and set(inactive.json()) == {"/user/bob"}
    assert set(api(proxy, "GET", "/api/routes?inactive_since=1970-01-01T00:00:00.000Z").json()) == set()
    assert set(api(proxy, "GET", "/api/routes?inactive_since=2999-01-01T00:00:00.000Z").json()) == {
        "/user/bob", "/user/alice"}
    assert api(proxy, "GET", "/api/routes?inactive_since=endoftheuniverse").status == 400

    # Error answers from the backend are not activity.
    time.sleep(ACTIVITY_WAIT)
    assert proxied(proxy, "/user/alice/status/404")[0].status == 404
    assert route_activity(proxy, "/user/alice") == alice_after


def test_deleted_routes_fall_back_to_the_hub_and_then_404(hub_layout):
    proxy, _, _ = hub_layout

    async def delete_alice_twice(client):
        await client.delete_route("/user/alice/")
        await client.delete_route("/user/alice/")  # the hub treats 404 as "already deleted"
        return await client.get_route("/user/alice/")
    assert with_hub_client(proxy, delete_alice_twice) is None
    assert api(proxy, "GET", "/api/routes/user/alice").status == 404
    assert api(proxy, "DELETE", "/api/routes/user/alice").status == 404
    assert proxied(proxy, "/user/alice/tree")[1]["backend"] == "hub"
    assert proxied(proxy, "/user/alice/nb1/tree")[1]["backend"] == "alice-nb1", "deleting a parent keeps children"

    with_hub_client(proxy, lambda client: client.delete_route("/"))
    assert proxied(proxy, "/user/alice/tree")[0].status == 404
    assert proxied(proxy, "/user/a%20b/tree")[1]["backend"] == "a b"


def test_an_unreachable_server_answers_503_and_is_not_activity(start_proxy, dead_url):
    proxy = start_proxy()
    add_routes(proxy, {"/user/gone/": (dead_url, {"user": "gone", "server_name": ""})})
    before = route_activity(proxy, "/user/gone")
    time.sleep(ACTIVITY_WAIT)
    assert proxied(proxy, "/user/gone/lab")[0].status == 503
    assert route_activity(proxy, "/user/gone") == before
    assert proxied(proxy, "/nowhere")[0].status == 404, "no route and no / route"


def test_the_error_target_renders_proxy_errors_with_the_original_url(start_proxy, backend_factory, dead_url):
    errors = backend_factory("errors")
    proxy = start_proxy("--error-target", f"{errors.url}/hub/error")
    add_routes(proxy, {"/user/gone/": (dead_url, {"user": "gone", "server_name": ""})})
    for path, code in (("/user/gone/lab?a=1", 503), ("/nowhere/x", 404)):
        reply, seen = proxied(proxy, path)
        assert reply.status == code, "the proxy's status, not the error page's 200"
        assert seen is not None and seen["backend"] == "errors", "body comes from the error target"
        target = urlsplit(seen["path"])
        assert target.path == f"/hub/error/{code}"
        assert parse_qs(target.query)["url"][0].startswith(path.split("?")[0])


def test_the_api_refuses_requests_without_the_token(start_proxy):
    proxy = start_proxy()
    assert request(proxy.api_port, "GET", "/api/routes").status == 403
    assert api(proxy, "GET", "/api/routes", token="wrong").status == 403
    bearer = request(proxy.api_port, "GET", "/api/routes", headers={"Authorization": f"Bearer {proxy.token}"})
    assert bearer.status == 403, "CHP accepts only `token <value>`"
    with pytest.raises(ClientResponseError) as refused:
        with_hub_client(proxy, lambda client: client.add_route("/user/eve/", "http://127.0.0.1:9", {}),
                        token="wrong")
    assert refused.value.status == 403


def test_websocket_messages_echo_through_the_proxy_and_count_as_activity(start_proxy, ws_echo, dead_url):
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    proxy = start_proxy()
    add_routes(proxy, {"/user/ws/": (ws_echo.url, {"user": "ws", "server_name": ""}),
                       "/user/gone/": (dead_url, {"user": "gone", "server_name": ""})})
    before = route_activity(proxy, "/user/ws")
    time.sleep(ACTIVITY_WAIT)
    path = "/user/ws/api/kernels/k1/channels?session_id=s1"

    async def talk():
        async with connect(f"ws://127.0.0.1:{proxy.port}{path}", compression=None, open_timeout=10) as ws:
            for i in range(50):
                await ws.send(f"message {i}")
                assert await asyncio.wait_for(ws.recv(), 10) == f"message {i}"
            blob = bytes(range(256)) * 300  # spans several frames' worth of proxy buffers
            await ws.send(blob)
            assert await asyncio.wait_for(ws.recv(), 10) == blob
        with pytest.raises(InvalidStatus) as refused:
            async with connect(f"ws://127.0.0.1:{proxy.port}/user/gone/api/kernels", open_timeout=10):
                pass
        return refused.value.response.status_code

    assert asyncio.run(talk()) == 503
    assert ws_echo.paths == [path], "the upgrade request keeps its path and query"
    assert route_activity(proxy, "/user/ws") > before
