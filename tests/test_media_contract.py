"""The media-store contract: one suite, run against the local store (served by the real web
app under uvicorn) and the S3 store (a real SeaweedFS server, tests/servers/seaweedfs.py).

Links are checked the way families use them: real HTTP GETs with httpx. A local link is a
path, opened on the site that made it (as a page does); an S3 link is absolute. Where the
stores differ on purpose the test says so (an expired local link is 410 Gone; S3 answers 403).
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from pydantic import SecretStr

from bedtales.app import App
from bedtales.config import MediaSettings, Settings, WebSettings
from bedtales.errors import ConfigError, InputError, NotFound
from bedtales.media import (
    AUDIO,
    IMAGE,
    MAX_LINK_LIFETIME,
    MediaStore,
    make_media_store,
    story_key,
    story_prefix,
)
from bedtales.media.local import LocalMediaStore
from bedtales.media.s3 import S3MediaStore
from bedtales.web import create_site, urls
from servers.seaweedfs import S3Server
from servers.web import serving

SECRET = "contract-test-link-secret"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
MP3 = b"ID3" + bytes(range(256)) * 8
TIMEOUT = 10.0
# web.base_url of the local store's app: nowhere, so a link that used it could not load
NOWHERE = "http://base-url.invalid:1"
# where the local store's web app listens (set by its fixture): its links are paths there
LOCAL_SITE: dict[str, str] = {}


def make_settings(data_dir: Path, **sections: object) -> Settings:
    """Settings from these values only: module fixtures run before the autouse fixture
    that hides the developer's BEDTALES_* variables, so they are hidden here too."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("BEDTALES_")]:
            patch.delenv(name)
        return Settings(data_dir=data_dir, **sections)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def local_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalMediaStore]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        settings = make_settings(
            tmp_path_factory.mktemp("local"),
            media=MediaSettings(link_secret=SecretStr(SECRET)),
            web=WebSettings(base_url=NOWHERE),
        )
        LOCAL_SITE["base"] = f"http://127.0.0.1:{sock.getsockname()[1]}"
        bedtales = App(settings)
        store = bedtales.tools.media
        assert isinstance(store, LocalMediaStore)
        with serving(create_site(bedtales), sock):
            yield store
        bedtales.close()


def s3_settings(s3_server: S3Server, data_dir: Path, bucket: str, **media: object) -> Settings:
    return make_settings(
        data_dir,
        media=MediaSettings(
            store="s3",
            s3_bucket=bucket,
            s3_endpoint_url=s3_server.endpoint_url,
            s3_region=s3_server.region,
            s3_access_key_id=s3_server.access_key_id,
            s3_secret_access_key=SecretStr(s3_server.secret_access_key),
            **media,
        ),
    )


@pytest.fixture(scope="module")
def s3_store(
    s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[S3MediaStore]:
    bucket = f"contract-{uuid.uuid4().hex[:12]}"
    settings = s3_settings(s3_server, tmp_path_factory.mktemp("s3"), bucket, s3_create_bucket=True)
    store = make_media_store(settings)
    assert isinstance(store, S3MediaStore)
    yield store
    store.close()


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest) -> MediaStore:
    found: MediaStore = request.getfixturevalue(f"{request.param}_store")
    return found


@pytest.fixture
def story() -> str:
    """A story id of this test's own: every test shares its store with the others."""
    return uuid.uuid4().hex[:16]


def fetch(url: str, **headers: str) -> httpx.Response:
    """GET a link as a page would: a path (a local link) on the site, an S3 link as it is."""
    return httpx.get(urls.absolute(LOCAL_SITE["base"], url), headers=headers, timeout=TIMEOUT)


def later(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


def with_query(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, name: value})))


def query_value(url: str, name: str) -> str:
    return parse_qs(urlsplit(url).query)[name][0]


# objects


def test_put_get_exists_round_trip(store: MediaStore, story: str) -> None:
    key = story_key(story, IMAGE)
    assert not store.exists(key)
    store.put(key, PNG, "image/png")
    assert store.exists(key)
    assert store.get(key) == PNG


def test_get_of_a_missing_key_is_not_found(store: MediaStore, story: str) -> None:
    with pytest.raises(NotFound):
        store.get(story_key(story, AUDIO))


def test_overwrite_replaces_bytes_and_type(store: MediaStore, story: str) -> None:
    key = story_key(story, "picture")
    store.put(key, PNG, "image/png")
    store.put(key, b"\xff\xd8\xff new", "image/jpeg")
    assert store.get(key) == b"\xff\xd8\xff new"
    response = fetch(store.link(key, later(hours=1)))
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content == b"\xff\xd8\xff new"


def test_delete_prefix_removes_only_that_story(store: MediaStore, story: str) -> None:
    mine = [story_key(story, name) for name in (IMAGE, AUDIO, "audio.json")]
    # a story whose id starts with this one's must survive: the prefix ends with "/"
    others = [story_key(f"{story}x", IMAGE), story_key(uuid.uuid4().hex[:16], IMAGE)]
    for key in mine + others:
        store.put(key, b"data", "application/octet-stream")
    assert store.delete_prefix(story_prefix(story)) == 3
    assert not any(store.exists(key) for key in mine)
    assert all(store.exists(key) for key in others)
    assert store.delete_prefix(story_prefix(story)) == 0
    if isinstance(store, LocalMediaStore):
        assert not (store.root / "stories" / story).exists(), "empty folders are removed"


def test_concurrent_puts_never_show_half_a_file(store: MediaStore, story: str) -> None:
    key = story_key(story, AUDIO)
    versions = [bytes([n]) * 50_000 for n in range(4)]
    store.put(key, versions[0], "audio/mpeg")
    seen: list[bytes] = []

    def write(data: bytes) -> None:
        for _ in range(5):
            store.put(key, data, "audio/mpeg")
            seen.append(store.get(key))

    threads = [threading.Thread(target=write, args=(data,)) for data in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(seen) <= set(versions)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/stories/abc/image.png",
        "stories/../secrets",
        "stories/abc/..",
        "stories\\abc\\image.png",
        "stories//image.png",
        "stories/abc/",
        "stories/./image.png",
        "stories/.image.png.mime",
        "stories/a b/image.png",
        "stories/äbc/image.png",
        "stories/abc/image.png?x=1",
        "stories/" + "a" * 600,
    ],
)
def test_bad_keys_are_input_errors(store: MediaStore, key: str) -> None:
    with pytest.raises(InputError):
        store.put(key, b"x", "text/plain")
    with pytest.raises(InputError):
        store.get(key)
    with pytest.raises(InputError):
        store.exists(key)
    with pytest.raises(InputError):
        store.link(key, later(hours=1))


@pytest.mark.parametrize("prefix", ["", "/", "../", "stories/../", "/etc/"])
def test_bad_prefixes_are_input_errors(store: MediaStore, prefix: str) -> None:
    with pytest.raises(InputError):
        store.delete_prefix(prefix)


def test_bad_types_and_times_are_input_errors(store: MediaStore, story: str) -> None:
    with pytest.raises(InputError):
        store.put(story_key(story, IMAGE), PNG, "image/png\r\nX-Evil: 1")
    with pytest.raises(InputError, match="timezone"):
        store.link(story_key(story, IMAGE), datetime.now() + timedelta(hours=1))


# links


@pytest.mark.parametrize(
    ("name", "mime", "data"),
    [
        (IMAGE, "image/png", PNG),
        (AUDIO, "audio/mpeg", MP3),
        ("audio.json", "application/json", b'{"words": []}'),
    ],
)
def test_a_link_serves_the_bytes_with_their_type(
    store: MediaStore, story: str, name: str, mime: str, data: bytes
) -> None:
    key = story_key(story, name)
    store.put(key, data, mime)
    response = fetch(store.link(key, later(hours=1)))
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == mime
    assert response.content == data


@pytest.mark.parametrize("part", ["signature", "key", "expiry"])
def test_a_tampered_link_is_refused(store: MediaStore, story: str, part: str) -> None:
    store.put(story_key(story, AUDIO), MP3, "audio/mpeg")
    store.put(story_key(story, IMAGE), PNG, "image/png")
    url = store.link(story_key(story, AUDIO), later(hours=1))
    local = isinstance(store, LocalMediaStore)
    if part == "signature":
        name = "signature" if local else "X-Amz-Signature"
        genuine = query_value(url, name)
        url = with_query(url, name, ("0" if genuine[0] != "0" else "1") + genuine[1:])
    elif part == "key":  # the same signature for another story file, which does exist
        url = url.replace(f"/{AUDIO}?", f"/{IMAGE}?")
    else:  # a longer life than was signed
        name = "expires" if local else "X-Amz-Expires"
        url = with_query(url, name, str(int(query_value(url, name)) + 3600))
    response = fetch(url)
    assert response.status_code == 403
    assert response.content not in (MP3, PNG)


def test_an_expired_link_is_refused(store: MediaStore, story: str) -> None:
    key = story_key(story, AUDIO)
    store.put(key, MP3, "audio/mpeg")
    url = store.link(key, later(seconds=1))
    time.sleep(2.0)  # a second past the expiry, which both URLs give in whole seconds
    response = fetch(url)
    # the local store tells a genuine expired link from a forged one; S3 does not
    assert response.status_code == (410 if isinstance(store, LocalMediaStore) else 403)
    assert response.content != MP3


def test_link_lifetime_is_capped_at_seven_days(store: MediaStore, story: str) -> None:
    key = story_key(story, IMAGE)
    store.put(key, PNG, "image/png")
    now = datetime.now(UTC)
    capped = store.link(key, now + timedelta(days=30), now=now)
    short = store.link(key, now + timedelta(hours=1), now=now)
    if isinstance(store, LocalMediaStore):
        assert int(query_value(capped, "expires")) == math.floor(
            (now + MAX_LINK_LIFETIME).timestamp()
        )
        assert int(query_value(short, "expires")) == math.floor(
            (now + timedelta(hours=1)).timestamp()
        )
    else:
        assert int(query_value(capped, "X-Amz-Expires")) == MAX_LINK_LIFETIME.total_seconds()
        assert int(query_value(short, "X-Amz-Expires")) == 3600
    assert fetch(capped).content == PNG, "the longest link is still accepted"


def test_a_range_request_gets_part_of_a_narration(store: MediaStore, story: str) -> None:
    key = story_key(story, AUDIO)
    store.put(key, MP3, "audio/mpeg")
    response = fetch(store.link(key, later(hours=1)), Range="bytes=100-199")
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 100-199/{len(MP3)}"
    assert response.content == MP3[100:200]


# choosing and configuring a store


def test_make_media_store_picks_the_configured_store(tmp_path: Path) -> None:
    local = make_settings(tmp_path, media=MediaSettings(link_secret=SecretStr(SECRET)))
    assert isinstance(make_media_store(local), LocalMediaStore)
    assert make_media_store(local).root == tmp_path / "media"  # type: ignore[attr-defined]
    s3 = make_settings(
        tmp_path, media=MediaSettings(store="s3", s3_endpoint_url="http://127.0.0.1:1")
    )
    chosen = make_media_store(s3)
    assert isinstance(chosen, S3MediaStore)
    chosen.close()


def test_without_a_link_secret_the_local_store_keeps_files_but_makes_no_links(
    tmp_path: Path,
) -> None:
    store = make_media_store(make_settings(tmp_path))
    store.put("stories/a/image.png", PNG, "image/png")  # a worker painting and sweeping
    assert store.delete_prefix("stories/a/") == 1
    with pytest.raises(ConfigError, match="bedtales init") as caught:
        store.link("stories/a/image.png", datetime.now(UTC) + timedelta(hours=1))
    assert "BEDTALES_MEDIA__LINK_SECRET" in str(caught.value)


# what only the local store's web route does


def test_local_link_expired_before_now_is_gone(local_store: LocalMediaStore, story: str) -> None:
    key = story_key(story, AUDIO)
    local_store.put(key, MP3, "audio/mpeg")
    yesterday = datetime.now(UTC) - timedelta(days=1)
    response = fetch(local_store.link(key, yesterday + timedelta(hours=1), now=yesterday))
    assert response.status_code == 410
    assert "error" in response.json()


def test_local_links_are_paths_on_the_site(local_store: LocalMediaStore, story: str) -> None:
    """Same-origin: a page opened at any host and port (a LAN address, another --port)
    loads them from there; web.base_url (NOWHERE here) has no part in them."""
    link = local_store.link(story_key(story, IMAGE), later(hours=1))
    assert link.startswith(f"/media/stories/{story}/image.png?expires=")
    assert NOWHERE not in link
    assert urls.absolute("http://192.168.1.20:9000", link) == "http://192.168.1.20:9000" + link


def test_local_link_answers(local_store: LocalMediaStore, story: str) -> None:
    key = story_key(story, AUDIO)
    url = local_store.link(key, later(hours=1))
    assert fetch(url).status_code == 404, "a genuine link to a file not (yet) there"
    local_store.put(key, MP3, "audio/mpeg")
    response = fetch(url)
    max_age = int(response.headers["cache-control"].removeprefix("private, max-age="))
    assert 0 < max_age <= 3600
    unsigned = url.split("?")[0]
    assert fetch(unsigned).status_code == 403
    assert fetch(with_query(url, "expires", "soon")).json() == {"error": "the link is malformed"}
    assert fetch(url.replace(f"/{story}/", "/../")).status_code == 403


def test_the_media_route_serves_nothing_for_the_s3_store(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    bedtales = App(make_settings(tmp_path, media=MediaSettings(store="s3")))
    with TestClient(create_site(bedtales)) as client:
        assert client.get("/media/stories/abc/image.png?expires=1&signature=00").status_code == 404
    bedtales.close()


# what only the S3 store's settings do


def test_s3_missing_bucket_stops_the_store_at_start(s3_server: S3Server, tmp_path: Path) -> None:
    """Workers, the site and `bedtales run` build the store first: a bucket that is missing
    while s3_create_bucket is off stops them there, naming the setting, the bucket and how to
    make it, instead of every picture retrying until it is dead-lettered."""
    bucket = f"missing-{uuid.uuid4().hex[:12]}"
    with pytest.raises(ConfigError, match="s3_create_bucket") as caught:
        make_media_store(s3_settings(s3_server, tmp_path, bucket))
    assert caught.value.exit_code == 2
    message = str(caught.value)
    assert f"S3 bucket {bucket!r} does not exist" in message
    assert "BEDTALES_MEDIA__S3_CREATE_BUCKET" in message
    assert f"aws s3 mb s3://{bucket} --endpoint-url {s3_server.endpoint_url}" in message
    assert f"s3.bucket.create -name {bucket}" in message
    assert s3_server.secret_access_key not in message


def test_s3_create_bucket_makes_the_missing_bucket_once(
    s3_server: S3Server, tmp_path: Path, story: str
) -> None:
    bucket = f"created-{uuid.uuid4().hex[:12]}"
    created = make_media_store(s3_settings(s3_server, tmp_path, bucket, s3_create_bucket=True))
    key = story_key(story, IMAGE)
    try:
        created.put(key, PNG, "image/png")
        # the bucket exists now: a store with creation off starts and reads it
        checked = make_media_store(s3_settings(s3_server, tmp_path, bucket))
        assert checked.get(key) == PNG
        checked.close()
    finally:
        created.delete_prefix(f"stories/{story}/")
        created.close()


def test_a_worker_does_not_start_without_its_bucket(s3_server: S3Server, tmp_path: Path) -> None:
    bucket = f"missing-{uuid.uuid4().hex[:12]}"
    settings = s3_settings(s3_server, tmp_path, bucket)
    settings.media.link_secret = SecretStr(SECRET)
    bedtales = App(settings)
    try:
        with pytest.raises(ConfigError, match=f"S3 bucket {bucket!r} does not exist"):
            bedtales.worker(["illustrate"])
    finally:
        bedtales.close()


def test_s3_wrong_secret_is_a_config_error(s3_server: S3Server, tmp_path: Path) -> None:
    settings = s3_settings(s3_server, tmp_path, "bedtales")
    settings.media.s3_secret_access_key = SecretStr("not-the-secret")
    store = make_media_store(settings)
    with pytest.raises(ConfigError, match="s3_secret_access_key") as caught:
        store.get("stories/abc/image.png")
    assert "not-the-secret" not in str(caught.value)
    store.close()


def test_s3_links_are_signed_for_the_public_endpoint(
    s3_server: S3Server, tmp_path: Path, story: str
) -> None:
    """Workers may reach S3 at an inner address while phones reach it at another: links are
    signed for the public one, and the server accepts them there."""
    inner = urlsplit(s3_server.endpoint_url)
    public = f"http://localhost:{inner.port}"
    bucket = f"public-{uuid.uuid4().hex[:12]}"
    settings = s3_settings(
        s3_server, tmp_path, bucket, s3_create_bucket=True, s3_public_endpoint_url=public
    )
    store = make_media_store(settings)
    try:
        key = story_key(story, IMAGE)
        store.put(key, PNG, "image/png")
        link = store.link(key, later(hours=1))
        assert link.startswith(f"{public}/{bucket}/")
        assert urls.absolute("http://tales.example", link) == link  # already absolute
        response = fetch(link)
        assert response.status_code == 200
        assert response.content == PNG
        inner_link = link.replace(public, s3_server.endpoint_url.rstrip("/"), 1)
        assert fetch(inner_link).status_code == 403  # signed for the public host only
    finally:
        store.delete_prefix(f"stories/{story}/")
        store.close()
