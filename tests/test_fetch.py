"""Downloads through pooch into the cache: verified, atomic, offline and mirrored.

Every publisher is played by a local pytest-httpserver; nothing touches the internet.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug import Response

from geomap.cli import main
from geomap.errors import ChecksumError, SchemaError, SourceError
from geomap.load.publishers import check_source_file
from geomap.sources import apis, fetch
from geomap.sources.registry import SOURCES, Source

from .publisher_files import (
    acled_answer,
    cod_ab_cod_resources,
    cod_ab_zip,
    dtm_api,
    dumps,
    geoboundaries_adm1,
    geoboundaries_adm2,
    geoboundaries_api,
    hdx_package,
    ipis_csv,
)

source_path = partial(fetch.source_path, check=check_source_file)
"""Fetch as a build does: the publisher's columns are checked before a file is kept."""
import_file = partial(fetch.import_file, check=check_source_file)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder; no mirror, no credentials."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("GEOMAP_CACHE", str(folder))
    for name in ("GEOMAP_MIRROR", "DTM_API_KEY", "ACLED_EMAIL", "ACLED_PASSWORD",
                 "ACLED_KEY"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture
def files(tmp_path) -> dict[str, bytes]:
    """Publisher files as bytes: a COD-AB zip and an IPIS visits CSV."""
    return {"zip": cod_ab_zip(tmp_path / "cod.zip").read_bytes(),
            "csv": ipis_csv(tmp_path / "ipis.csv").read_bytes()}


def _source(url: str, **changes) -> Source:
    """A test copy of the COD-AB source pointing at *url*."""
    base = replace(SOURCES["cod-ab:adm2"], name="test:cod-ab", resolver="direct",
                   urls=(url,), filename="test_cod_ab.zip", pattern=None)
    return replace(base, **changes)


def _ipis(url: str, **changes) -> Source:
    """A test copy of the IPIS CSV source pointing at *url*."""
    return replace(SOURCES["ipis"], name="test:ipis", urls=(url,), resolver="direct",
                   filename="test_ipis.csv", **changes)


def _left(cache: Path) -> list[str]:
    """Every file in the cache, temporary ones included."""
    return sorted(p.name for p in cache.rglob("*") if p.is_file()) if cache.exists() else []


def test_download_lands_in_the_cache_once(cache, httpserver, files):
    """The file is cached whole; a second call reuses it without the network."""
    httpserver.expect_request("/cod.zip").respond_with_data(files["zip"])
    source = _source(httpserver.url_for("/cod.zip"))
    path = source_path(source)
    assert path.read_bytes() == files["zip"]
    assert _left(cache) == ["test_cod_ab.zip"]
    assert source_path(source) == path
    assert len(httpserver.log) == 1


def test_known_sha256_is_verified(cache, httpserver, files):
    """A matching hash passes; a different file raises and is not kept."""
    httpserver.expect_request("/cod.zip").respond_with_data(files["zip"])
    good = hashlib.sha256(files["zip"]).hexdigest()
    assert source_path(_source(httpserver.url_for("/cod.zip"), sha256=good)).exists()
    wrong = _source(httpserver.url_for("/cod.zip"), sha256="0" * 64,
                    filename="other.zip", name="test:wrong")
    with pytest.raises(ChecksumError, match=r"expected 000000000000\.\.\. but got "
                       + good[:12]) as err:
        source_path(wrong, retries=0)
    assert "geomap/sources/registry.py" in str(err.value)
    assert _left(cache) == ["test_cod_ab.zip"]


def _html(_request) -> Response:
    return Response("<!DOCTYPE html><html><body>Service unavailable</body></html>",
                    content_type="text/html")


def _stalled(release: threading.Event):
    """A handler that answers only once *release* is set (or after 60 s)."""

    def handler(_request) -> Response:
        release.wait(60)
        return Response(b"late")

    return handler


@pytest.mark.parametrize(("path", "respond", "error", "fragment"), [
    ("/missing.zip", lambda e: e.respond_with_data("nope", status=404), SourceError,
     "answered HTTP 404"),
    ("/cut.zip", "truncated", SourceError, "is not a whole zip file"),
    ("/page.zip", lambda e: e.respond_with_handler(_html), SourceError,
     "answered with an HTML page"),
], ids=["404", "truncated-zip", "html-page"])
def test_failures_are_one_line_and_leave_the_cache_clean(cache, httpserver, files, path,
                                                         respond, error, fragment):
    """Each failure raises its class with one line and leaves no file behind."""
    expectation = httpserver.expect_request(path)
    if respond == "truncated":
        expectation.respond_with_data(files["zip"][: len(files["zip"]) // 2])
    else:
        respond(expectation)
    with pytest.raises(error, match=re.escape(fragment)) as err:
        source_path(_source(httpserver.url_for(path)), timeout=0.5, retries=0)
    assert "\n" not in str(err.value)
    assert _left(cache) == []


@pytest.fixture
def slow_server():
    """A threaded server of its own, so a stalled answer blocks no other test."""
    from pytest_httpserver import HTTPServer

    server = HTTPServer(threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_timeout_is_one_line_and_leaves_the_cache_clean(cache, slow_server):
    """A server that does not answer in time gives up after the timeout.

    The server answers only once the download has given up, so the download can
    only end by its own timeout: no clock is read, and a timeout that did not fire
    would get the late answer (not a zip) and fail on the error's text instead.
    """
    release = threading.Event()
    slow_server.expect_request("/slow.zip").respond_with_handler(_stalled(release))
    try:
        with pytest.raises(SourceError,
                           match=re.escape("did not answer within 0.5 s")):
            source_path(_source(slow_server.url_for("/slow.zip")), timeout=0.5,
                        retries=0)
    finally:
        release.set()
    assert _left(cache) == []


def test_renamed_columns_are_refused_before_caching(cache, httpserver, tmp_path):
    """An IPIS release that renamed a column fails its check and is not cached."""
    renamed = ipis_csv(tmp_path / "renamed.csv", rename={"visit_date": "date_visite"})
    httpserver.expect_request("/ipis.csv").respond_with_data(renamed.read_bytes())
    with pytest.raises(SchemaError, match="lacks 'visit_date'"):
        source_path(_ipis(httpserver.url_for("/ipis.csv")), retries=0)
    assert _left(cache) == []


def test_permanent_errors_are_not_retried_but_busy_servers_are(cache, httpserver, files):
    """404 is asked once; a 503 is retried and the second answer is used."""
    httpserver.expect_request("/gone.zip").respond_with_data("", status=404)
    with pytest.raises(SourceError):
        source_path(_source(httpserver.url_for("/gone.zip")), retries=2)
    assert len(httpserver.log) == 1
    httpserver.expect_ordered_request("/busy.zip").respond_with_data("", status=503)
    httpserver.expect_ordered_request("/busy.zip").respond_with_data(files["zip"])
    path = source_path(_source(httpserver.url_for("/busy.zip")), retries=1)
    assert path.read_bytes() == files["zip"]


def test_mirror_serves_files_by_registry_name(cache, httpserver, files, monkeypatch):
    """With GEOMAP_MIRROR the publisher is never asked, only the mirror."""
    httpserver.expect_request("/mirror/test_cod_ab.zip").respond_with_data(files["zip"])
    monkeypatch.setenv("GEOMAP_MIRROR", httpserver.url_for("/mirror/"))
    path = source_path(_source("https://publisher.invalid/cod.zip"))
    assert path.read_bytes() == files["zip"]
    assert [entry[0].path for entry in httpserver.log] == ["/mirror/test_cod_ab.zip"]


def test_local_folder_mirror_works_offline(cache, tmp_path, files, monkeypatch):
    """A mirror folder (a USB stick) fills the cache even offline."""
    folder = tmp_path / "usb"
    folder.mkdir()
    (folder / "test_cod_ab.zip").write_bytes(files["zip"])
    monkeypatch.setenv("GEOMAP_MIRROR", str(folder))
    path = source_path(_source("https://publisher.invalid/cod.zip"), offline=True)
    assert path.read_bytes() == files["zip"]


def test_offline_names_missing_files_and_the_fix(cache, httpserver):
    """Offline never touches the network and says which files and how to get them."""
    source = _source(httpserver.url_for("/cod.zip"))
    with pytest.raises(SourceError) as err:
        source_path(source, offline=True)
    message = str(err.value)
    assert "'test_cod_ab.zip' (test:cod-ab)" in message
    assert "geomap fetch test:cod-ab" in message
    assert "GEOMAP_MIRROR" in message
    assert "\n" not in message
    assert httpserver.log == []


def test_offline_uses_a_cached_file(cache, httpserver, files):
    """A cached file is enough offline."""
    httpserver.expect_request("/cod.zip").respond_with_data(files["zip"])
    source = _source(httpserver.url_for("/cod.zip"))
    source_path(source)
    httpserver.clear_log()
    assert source_path(source, offline=True).read_bytes() == files["zip"]
    assert httpserver.log == []


def test_import_file_checks_like_a_download(cache, tmp_path, files):
    """NAME=FILE copies a checked file in; a wrong hash is refused, nothing kept."""
    local = tmp_path / "copy.zip"
    local.write_bytes(files["zip"])
    assert import_file(_source("https://x.invalid/a.zip"), local).exists()
    with pytest.raises(ChecksumError):
        import_file(_source("https://x.invalid/a.zip", sha256="f" * 64,
                                  filename="b.zip"), local)
    assert _left(cache) == ["test_cod_ab.zip"]


def test_geoboundaries_api_then_geojson_with_its_adm1(cache, httpserver, monkeypatch):
    """The API answers with gjDownloadURL; ADM2 also fetches the ADM1 it needs."""
    for level, data in ((1, geoboundaries_adm1()), (2, geoboundaries_adm2())):
        download = httpserver.url_for(f"/data/geoBoundaries-COD-ADM{level}.geojson")
        httpserver.expect_request(f"/api/gbOpen/COD/ADM{level}/").respond_with_json(
            geoboundaries_api(level, download))
        httpserver.expect_request(f"/data/geoBoundaries-COD-ADM{level}.geojson"
                                  ).respond_with_data(dumps(data))
        name = f"geoboundaries:adm{level}"
        monkeypatch.setitem(SOURCES, name, replace(
            SOURCES[name], urls=(httpserver.url_for(f"/api/gbOpen/COD/ADM{level}/"),)))
    path = source_path("geoboundaries:adm2")
    assert json.loads(path.read_text())["features"][0]["properties"]["shapeType"] == "ADM2"
    assert _left(cache) == ["geoBoundaries-COD-ADM1.geojson",
                            "geoBoundaries-COD-ADM2.geojson"]


def test_hdx_resolves_the_newest_matching_resource(cache, httpserver, files, monkeypatch):
    """'cod-ab-cod' lists four formats of one file: the '.shp.zip' is downloaded,
    and of two shapefile zips the newest."""
    resources = [*cod_ab_cod_resources(httpserver.url_for("/dl")),
                 {"name": "cod_admbnda_rgc_itos_20190911_SHP.zip", "format": "SHP",
                  "last_modified": "2019-09-20T00:00:00",
                  "url": httpserver.url_for("/old.zip")}]
    httpserver.expect_request("/api/3/action/package_show", query_string={
        "id": "cod-ab-cod"}).respond_with_json(hdx_package("cod-ab-cod", resources))
    httpserver.expect_request("/dl/cod_admin_boundaries.shp.zip").respond_with_data(
        files["zip"])
    monkeypatch.setitem(SOURCES, "cod-ab:adm2", replace(SOURCES["cod-ab:adm2"], urls=(
        httpserver.url_for("/api/3/action/package_show") + "?id=cod-ab-cod",)))
    assert source_path("cod-ab:adm2").read_bytes() == files["zip"]
    assert [e[0].path for e in httpserver.log][-1] == "/dl/cod_admin_boundaries.shp.zip"


def test_hdx_falls_back_to_the_older_dataset_name(cache, httpserver, files, monkeypatch):
    """When 'cod-ab-cod' is not found, the 2019 dataset name is asked next."""
    show = httpserver.url_for("/api/3/action/package_show")
    httpserver.expect_request("/api/3/action/package_show", query_string={
        "id": "cod-ab-cod"}).respond_with_json(
        {"success": False, "error": {"__type": "Not Found Error"}}, status=404)
    httpserver.expect_request("/api/3/action/package_show", query_string={
        "id": "drc-administrative-boundaries-levels-0-2"}).respond_with_json(hdx_package(
            "drc-administrative-boundaries-levels-0-2", [
                {"name": "cod_admbnda_rgc_itos_20190911_SHP.zip", "format": "SHP",
                 "url": httpserver.url_for("/2019.zip")}]))
    httpserver.expect_request("/2019.zip").respond_with_data(files["zip"])
    monkeypatch.setitem(SOURCES, "cod-ab:adm2", replace(SOURCES["cod-ab:adm2"], urls=(
        show + "?id=cod-ab-cod", show + "?id=drc-administrative-boundaries-levels-0-2")))
    assert source_path("cod-ab:adm2", retries=0).read_bytes() == files["zip"]


@pytest.mark.parametrize(("name", "answer", "fragment"), [
    ("cod-ab:adm2", {"success": True, "result": {"resources": [
        {"name": "cod_admbnda_rgc_itos_20190911.xlsx", "url": "https://x.invalid/a"}]}},
     "has no resource matching '[._]shp\\.zip$'"),
    ("geoboundaries:adm1", {"boundaryID": "COD-ADM1"}, "has no 'gjDownloadURL'"),
    ("geoboundaries:adm1", "<html><body>Maintenance</body></html>",
     "answered with an HTML page instead of JSON"),
], ids=["hdx-no-resource", "gb-no-link", "gb-html"])
def test_api_answers_without_a_file_fail_clearly(cache, httpserver, monkeypatch, name,
                                                 answer, fragment):
    """An API that does not point at a file gives one line and caches nothing."""
    if isinstance(answer, str):
        httpserver.expect_request("/api").respond_with_data(answer,
                                                            content_type="text/html")
    else:
        httpserver.expect_request("/api").respond_with_json(answer)
    url = httpserver.url_for("/api") + ("?id=x" if name.startswith("cod") else "")
    monkeypatch.setitem(SOURCES, name, replace(SOURCES[name], urls=(url,)))
    with pytest.raises(SourceError, match=re.escape(fragment)):
        source_path(name, retries=0)
    assert _left(cache) == []


def _dtm_hosts(httpserver, monkeypatch) -> None:
    """dtm:api pointed at two local 'hosts': /main (dtmapi) and /second (dtm-apim)."""
    monkeypatch.setitem(SOURCES, "dtm:api", replace(SOURCES["dtm:api"], urls=(
        httpserver.url_for("/main/v3/displacement/admin2"),
        httpserver.url_for("/second/v3/displacement/admin2"))))


def test_dtm_api_sends_the_key_as_a_header_and_never_shows_it(cache, httpserver,
                                                             monkeypatch):
    """The key travels in Ocp-Apim-Subscription-Key; without it the error names it."""
    assert SOURCES["dtm:api"].urls[0].startswith("https://dtmapi.iom.int/v3/")
    _dtm_hosts(httpserver, monkeypatch)
    with pytest.raises(SourceError, match="needs DTM_API_KEY"):
        source_path("dtm:api")
    monkeypatch.setenv("DTM_API_KEY", "s3cret-key")
    httpserver.expect_request(
        "/main/v3/displacement/admin2",
        headers={"Ocp-Apim-Subscription-Key": "s3cret-key"},
        query_string={"Admin0Pcode": "COD"}).respond_with_json(dtm_api())
    path = source_path("dtm:api")
    assert json.loads(path.read_text())["isSuccess"] is True
    assert "s3cret" not in str(path)


def test_dtm_api_falls_back_to_its_second_host(cache, httpserver, monkeypatch):
    """A documented host that is down (503) gives way to the second server."""
    _dtm_hosts(httpserver, monkeypatch)
    monkeypatch.setenv("DTM_API_KEY", "k")
    httpserver.expect_request("/main/v3/displacement/admin2").respond_with_data(
        "", status=503)
    httpserver.expect_request("/second/v3/displacement/admin2").respond_with_json(
        dtm_api())
    assert json.loads(source_path("dtm:api", retries=0).read_text())["result"]


@pytest.mark.parametrize(("main", "fragment"), [
    (lambda e: e.respond_with_data("", status=401), "HTTP 401"),
    (lambda e: e.respond_with_json({"isSuccess": False, "result": None,
                                    "errorMessages": ["Invalid Admin0Pcode"]}),
     "The DTM API answered with an error: Invalid Admin0Pcode."),
], ids=["refused", "error-envelope"])
def test_dtm_api_refusals_are_one_line_and_never_show_the_key(cache, httpserver,
                                                               monkeypatch, main,
                                                               fragment):
    """A refused key is not tried on the other host; an error envelope says why."""
    _dtm_hosts(httpserver, monkeypatch)
    monkeypatch.setenv("DTM_API_KEY", "s3cret-key")
    main(httpserver.expect_request("/main/v3/displacement/admin2"))
    with pytest.raises(SourceError, match=re.escape(fragment)) as err:
        source_path("dtm:api", retries=0)
    assert "s3cret" not in str(err.value)
    assert [e[0].path for e in httpserver.log] == ["/main/v3/displacement/admin2"]
    assert _left(cache) == []


def _acled(httpserver, monkeypatch) -> None:
    """acled pointed at the local server, with an account in the environment."""
    monkeypatch.setitem(SOURCES, "acled", replace(SOURCES["acled"], urls=(
        httpserver.url_for("/api/acled/read"), httpserver.url_for("/oauth/token"))))
    monkeypatch.setenv("ACLED_EMAIL", "analyst@example.org")
    monkeypatch.setenv("ACLED_PASSWORD", "pw-s3cret")


def test_acled_signs_in_and_pages_through_events(cache, httpserver, monkeypatch):
    """OAuth password grant first, then pages until an empty one, into one file."""
    answer = acled_answer()
    monkeypatch.setattr(apis, "ACLED_PAGE", 3)
    _acled(httpserver, monkeypatch)
    httpserver.expect_request("/oauth/token", method="POST", data=(
        "username=analyst%40example.org&password=pw-s3cret&grant_type=password&"
        "client_id=acled")).respond_with_json(
        {"token_type": "Bearer", "access_token": "tok", "expires_in": 86400,
         "refresh_token": "ref"})
    for page, rows in ((1, answer["data"][:3]), (2, answer["data"][3:]), (3, [])):
        query = {"country": apis.ACLED_COUNTRY, "limit": "3", "page": str(page),
                 "_format": "json"}
        httpserver.expect_request("/api/acled/read", query_string=query, headers={
            "Authorization": "Bearer tok"}).respond_with_json(
            {"status": 200, "success": True, "count": len(rows), "data": rows})
    path = source_path("acled")
    assert json.loads(path.read_text())["count"] == len(answer["data"])


@pytest.mark.parametrize(("setup", "fragment"), [
    ("key-only", "ACLED no longer accepts access keys (ACLED_KEY)"),
    ("refused", "ACLED refused the sign-in"),
    ("same-page", "it ignored 'page'"),
], ids=["legacy-key", "refused", "page-ignored"])
def test_acled_failures_are_one_line(cache, httpserver, monkeypatch, setup, fragment):
    """Old keys, a refused sign-in and a server ignoring 'page' each say so."""
    monkeypatch.setattr(apis, "ACLED_PAGE", 3)
    _acled(httpserver, monkeypatch)
    if setup == "key-only":
        monkeypatch.delenv("ACLED_PASSWORD")
        monkeypatch.setenv("ACLED_KEY", "old-key")
    token = httpserver.expect_request("/oauth/token", method="POST")
    if setup == "refused":
        token.respond_with_json({"error": "invalid_grant"}, status=400)
    else:
        token.respond_with_json({"access_token": "tok"})
    httpserver.expect_request("/api/acled/read").respond_with_json(
        {"data": acled_answer()["data"][:3]})
    with pytest.raises(SourceError, match=re.escape(fragment)) as err:
        source_path("acled", retries=0)
    assert "s3cret" not in str(err.value)
    assert "\n" not in str(err.value)
    assert _left(cache) == []


def _ipis_page(httpserver, monkeypatch, page: str | None) -> None:
    """'ipis' pointed at a local open-data page (None: the page is gone)."""
    if page is None:
        httpserver.expect_request("/open-data/").respond_with_data("", status=404)
    else:
        httpserver.expect_request("/open-data/").respond_with_data(
            page, content_type="text/html")
    monkeypatch.setitem(SOURCES, "ipis", replace(SOURCES["ipis"], urls=(
        httpserver.url_for("/open-data/"),
        httpserver.url_for("/uploads/2026/05/cod_mines_curated_all_opendata_p_ipis.csv"))))


def test_ipis_csv_is_found_on_the_open_data_page(cache, httpserver, monkeypatch, files):
    """The newest CSV the page links is fetched, wherever the upload month put it."""
    links = "".join(f'<a href="/uploads/{month}/cod_mines_curated_all_opendata_p_ipis'
                    f'.csv">CSV</a>' for month in ("2026/05", "2026/11"))
    _ipis_page(httpserver, monkeypatch, f"<html><body>{links}</body></html>")
    httpserver.expect_request("/uploads/2026/11/cod_mines_curated_all_opendata_p_ipis"
                              ".csv").respond_with_data(files["csv"])
    assert source_path("ipis").read_bytes() == files["csv"]


def test_ipis_page_gone_and_file_moved_says_how_to_give_it(cache, httpserver,
                                                           monkeypatch):
    """Page gone, last known link gone: the message says how to give the file."""
    _ipis_page(httpserver, monkeypatch, None)
    httpserver.expect_request(re.compile("/uploads/.*")).respond_with_data("", status=404)
    with pytest.raises(SourceError, match=re.escape("'geomap fetch ipis=FILE'")):
        source_path("ipis", retries=0)
    assert _left(cache) == []


def test_cli_fetch_and_sources_table(cache, httpserver, files, monkeypatch):
    """'geomap fetch' fills the cache from a mirror; 'geomap sources' shows it."""
    name = SOURCES["cod-ab:adm2"].filename
    httpserver.expect_request(f"/m/{name}").respond_with_data(files["zip"])
    monkeypatch.setenv("GEOMAP_MIRROR", httpserver.url_for("/m"))
    runner = CliRunner()
    result = runner.invoke(main, ["fetch", "cod-ab:adm2", "--quiet"])
    assert result.exit_code == 0, result.output
    assert name in result.output
    table = runner.invoke(main, ["sources"]).output
    row = next(line for line in table.splitlines() if line.startswith("cod-ab:adm2 "))
    assert " yes " in row
    assert "MB" in row
    assert next(line for line in table.splitlines()
                if line.startswith("ipis ")).split()[-3:] == ["no", "-", "-"]


def test_cli_fetch_unknown_name_suggests_and_exits_1(cache):
    """A misspelt name fails before any download, with the nearest names."""
    result = CliRunner().invoke(main, ["fetch", "cod-ab:adm22"])
    assert result.exit_code == 1
    assert "Did you mean 'cod-ab:adm2'" in result.output
    assert "Traceback" not in result.output


def test_cli_fetch_failure_is_one_line_per_source_and_exit_1(cache, httpserver,
                                                             monkeypatch):
    """A mirror without the file: the reason per source, exit 1, nothing cached."""
    monkeypatch.setenv("GEOMAP_MIRROR", httpserver.url_for("/empty"))
    httpserver.expect_request(re.compile("/empty/.*")).respond_with_data("", status=404)
    result = CliRunner().invoke(main, ["fetch", "cod-ab:adm2", "--quiet"])
    assert result.exit_code == 1
    assert "failed: cod-ab:adm2: Cannot fetch 'cod-ab:adm2'" in result.output
    assert "HTTP 404" in result.output
    assert "Traceback" not in result.output
    assert _left(cache) == []
