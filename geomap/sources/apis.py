"""Ask publishers' APIs where their files are: HDX (CKAN), geoBoundaries, DTM, ACLED.

Credentials come from the environment only and never appear in messages, file
names or logs.
"""

from __future__ import annotations

import json
import os
import re
import time
from typing import Any

import requests

from geomap.errors import SourceError
from geomap.sources.registry import Source

RETRY_STATUS = {429, 500, 502, 503, 504}
DTM_ADMIN0 = "COD"
ACLED_COUNTRY = "Democratic Republic of Congo"
"""ACLED's spelling (acledR data/acled_countries.rda)."""
ACLED_PAGE = 5000
ACLED_MAX_PAGES = 1000
SIGN_UP = {"dtm-api": "https://dtm-apim-portal.iom.int/",
           "acled-api": "https://acleddata.com/register/"}


def public_url(url: str) -> str:
    """*url* without its query string, safe to show (ACLED keys travel in queries)."""
    return url.split("?", 1)[0]


def get_json(url: str, *, timeout: float, retries: int, what: str, **kwargs) -> Any:
    """GET *url* and parse JSON, retrying timeouts and 5xx answers.

    Raises
    ------
    SourceError
        The server cannot be reached, answers with an error, or not with JSON.
    """
    for attempt in range(retries + 1):
        try:
            response = requests.get(url, timeout=timeout, **kwargs)
        except requests.exceptions.Timeout as err:
            if attempt == retries:
                msg = f"{what}: '{public_url(url)}' did not answer within {timeout:g} s."
                raise SourceError(msg) from err
        except requests.exceptions.RequestException as err:
            if attempt == retries:
                msg = (f"{what}: cannot reach '{public_url(url)}' "
                       f"({type(err).__name__}). Check the connection or set GEOMAP_MIRROR.")
                raise SourceError(msg) from err
        else:
            if response.status_code in RETRY_STATUS and attempt < retries:
                time.sleep(min(attempt + 1, 5))
                continue
            return _parse(response, what)
        time.sleep(min(attempt + 1, 5))
    msg = f"{what}: no answer from '{public_url(url)}'."  # pragma: no cover
    raise SourceError(msg)


def _parse(response: requests.Response, what: str) -> Any:
    """The JSON body of a successful answer, or a one-line SourceError."""
    url = public_url(response.url)
    if response.status_code in (401, 403):
        msg = (f"{what}: '{url}' refused the credentials (HTTP {response.status_code}). "
               "Check the key in your environment.")
        raise SourceError(msg)
    if response.status_code >= 400:
        msg = f"{what}: '{url}' answered HTTP {response.status_code} {response.reason}."
        raise SourceError(msg)
    try:
        return response.json()
    except (json.JSONDecodeError, requests.exceptions.JSONDecodeError) as err:
        kind = "an HTML page" if "<html" in response.text[:500].lower() else "not JSON"
        msg = f"{what}: '{url}' answered with {kind} instead of JSON."
        raise SourceError(msg) from err


def resolve_hdx(source: Source, *, timeout: float, retries: int) -> str:
    """The download URL of the newest HDX resource matching ``source.pattern``.

    Each dataset in ``source.urls`` is asked in turn (the current name, then older
    ones) until one lists a matching resource.

    Raises
    ------
    SourceError
        No dataset answered with a matching resource; the message says what each
        listed or why it failed.
    """
    reasons = []
    for url in source.urls:
        try:
            return _hdx_resource(source, url, timeout=timeout, retries=retries)
        except SourceError as err:
            reasons.append(str(err))
    raise SourceError(" Then: ".join(reasons) if len(reasons) > 1 else reasons[0])


def _hdx_resource(source: Source, url: str, *, timeout: float, retries: int) -> str:
    """The newest matching resource of one HDX dataset (CKAN ``package_show``)."""
    dataset = url.split("id=", 1)[-1]
    answer = get_json(url, timeout=timeout, retries=retries,
                      what=f"HDX dataset '{dataset}' of '{source.name}'")
    result = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(answer, dict) or answer.get("success") is False or not result:
        msg = f"HDX has no dataset '{dataset}' for '{source.name}'."
        raise SourceError(msg)
    resources = result.get("resources") or []
    pattern = re.compile(source.pattern or ".", re.IGNORECASE)
    matching = [r for r in resources if isinstance(r, dict) and r.get("url") and (
        pattern.search(str(r.get("url"))) or pattern.search(str(r.get("name", ""))))]
    if not matching:
        names = [str(r.get("name")) for r in resources if isinstance(r, dict)][:8]
        msg = (f"The HDX dataset '{dataset}' of '{source.name}' has no resource "
               f"matching '{source.pattern}'; it lists {names}.")
        raise SourceError(msg)
    matching.sort(key=lambda r: str(r.get("last_modified") or ""), reverse=True)
    return str(matching[0]["url"])


def resolve_page(source: Source, *, timeout: float, retries: int) -> str:
    """The link matching ``source.pattern`` on the publisher's page (``urls[0]``).

    The newest upload wins when the page links several (WordPress upload paths carry
    the year and month). When the page cannot be read or links no such file, the last
    link seen (``urls[1]``) is used; if that has gone too, the download fails with a
    message saying how to give the file by hand.
    """
    page, *known = source.urls
    try:
        response = requests.get(page, timeout=timeout)
        response.raise_for_status()
    except requests.exceptions.RequestException:
        return known[0] if known else page
    href = (r"""href\s*=\s*["']([^"'#]*?(?:""" + (source.pattern or ".")
            + r""")[^"'#]*)["']""")
    links = re.findall(href, response.text, flags=re.IGNORECASE)
    if not links:
        return known[0] if known else page
    found = sorted({requests.compat.urljoin(response.url, link) for link in links})
    return max(found, key=lambda url: (re.findall(r"/(\d{4})/(\d{2})/", url), url))


def resolve_geoboundaries(source: Source, *, timeout: float, retries: int) -> str:
    """The GeoJSON URL (``gjDownloadURL``) the geoBoundaries API gives for *source*."""
    answer = get_json(source.urls[0], timeout=timeout, retries=retries,
                      what=f"geoBoundaries API for '{source.name}'")
    record = answer[0] if isinstance(answer, list) and answer else answer
    url = record.get("gjDownloadURL") if isinstance(record, dict) else None
    if not url:
        keys = sorted(record)[:10] if isinstance(record, dict) else type(record).__name__
        msg = (f"The geoBoundaries API answer for '{source.name}' has no "
               f"'gjDownloadURL' (found {keys}).")
        raise SourceError(msg)
    return str(url)


def require_env(source: Source) -> dict[str, str]:
    """The environment variables *source* needs ('A|B' means either).

    Raises
    ------
    SourceError
        One is unset; the message names it and where to get it.
    """
    found: dict[str, str] = {}
    for spec in source.env:
        names = spec.split("|")
        present = [name for name in names if os.environ.get(name)]
        if not present:
            where = SIGN_UP.get(source.resolver, "the publisher")
            msg = (f"'{source.name}' needs {' or '.join(names)} set in the environment "
                   f"(get access at {where}), or a GEOMAP_MIRROR that holds "
                   f"'{source.filename}'.")
            raise SourceError(msg)
        found.update({name: os.environ[name] for name in present})
    return found


class DtmDownloader:
    """A pooch downloader for the DTM API: its documented host first, then the other.

    The key travels in the ``Ocp-Apim-Subscription-Key`` header and the country as
    ``Admin0Pcode=COD``, as IOM's client (dtmapi 0.2.1, api.py) and OCHA's collector
    (OCHA-DAP/hdx-scraper-iom-dtm @95d00f0, __main__.py) send them. An answer with
    ``isSuccess`` false is an error carrying the API's own message.
    """

    def __init__(self, source: Source, *, timeout: float) -> None:
        self.source = source
        self.timeout = timeout
        self.key = require_env(source)["DTM_API_KEY"]

    def __call__(self, url: str, output_file: str, pooch: object,
                 check_only: bool = False) -> None:
        """Write the first good answer of the DTM hosts to *output_file*."""
        reasons = []
        for host in self.source.urls:
            try:
                response = requests.get(
                    host, params={"Admin0Pcode": DTM_ADMIN0}, timeout=self.timeout,
                    headers={"Ocp-Apim-Subscription-Key": self.key})
            except requests.exceptions.RequestException as err:
                reasons.append(f"'{public_url(host)}' {type(err).__name__}")
                continue
            if response.status_code in (401, 403):
                response.raise_for_status()  # the other host would refuse the key too
            if response.status_code >= 400:
                reasons.append(f"'{public_url(host)}' HTTP {response.status_code}")
                continue
            answer = _parse(response, f"DTM API for '{self.source.name}'")
            if isinstance(answer, dict) and answer.get("isSuccess") is False:
                errors = answer.get("errorMessages") or ["no reason given"]
                msg = f"The DTM API answered with an error: {errors[0]}."
                raise SourceError(msg)
            with open(output_file, "wb") as handle:
                handle.write(response.content)
            return
        msg = (f"Cannot fetch '{self.source.name}': no DTM API host answered "
               f"({'; '.join(reasons)}). Try again later, or use GEOMAP_MIRROR.")
        raise SourceError(msg)


class AcledDownloader:
    """A pooch downloader that signs in to ACLED with OAuth and pages through events.

    ACLED's own R package signs in with the password grant (``client_id=acled``) at
    ``/oauth/token`` and reads ``/api/acled/read`` with the bearer token
    (dtacled/acledR @1e05ba9, R/acled_auth.R, R/acled_api.R). Pages are read until
    one comes back empty, so a server that caps its pages below ``limit`` cannot cut
    the download short; a server that ignores ``page`` is caught, not looped on.
    """

    def __init__(self, source: Source, *, timeout: float) -> None:
        self.source = source
        self.timeout = timeout
        if os.environ.get("ACLED_KEY") and not os.environ.get("ACLED_PASSWORD"):
            msg = ("ACLED no longer accepts access keys (ACLED_KEY): its API signs in "
                   "with your account (OAuth) since 2025. Set ACLED_EMAIL and "
                   "ACLED_PASSWORD instead.")
            raise SourceError(msg)
        self.credentials = require_env(source)

    def _token(self) -> str:
        """An OAuth access token for the account in the environment."""
        token_url = self.source.urls[1]
        response = requests.post(token_url, timeout=self.timeout, data={
            "username": self.credentials["ACLED_EMAIL"],
            "password": self.credentials["ACLED_PASSWORD"],
            "grant_type": "password", "client_id": "acled"})
        if response.status_code in (400, 401, 403):
            msg = (f"ACLED refused the sign-in at '{public_url(token_url)}' (HTTP "
                   f"{response.status_code}). Check ACLED_EMAIL and ACLED_PASSWORD.")
            raise SourceError(msg)
        response.raise_for_status()
        token = _parse(response, "ACLED sign-in")
        if not isinstance(token, dict) or not token.get("access_token"):
            msg = "ACLED's sign-in answer holds no 'access_token'."
            raise SourceError(msg)
        return str(token["access_token"])

    def __call__(self, url: str, output_file: str, pooch: object,
                 check_only: bool = False) -> None:
        """Fetch every page of DRC events into *output_file*."""
        headers = {"Authorization": f"Bearer {self._token()}"}
        rows: list[dict] = []
        previous = None
        for page in range(1, ACLED_MAX_PAGES + 1):
            response = requests.get(self.source.urls[0], headers=headers,
                                    timeout=self.timeout, params={
                                        "_format": "json", "country": ACLED_COUNTRY,
                                        "limit": ACLED_PAGE, "page": page})
            response.raise_for_status()
            answer = _parse(response, "ACLED read")
            data = answer.get("data") if isinstance(answer, dict) else None
            if not data:
                break
            first = data[0].get("event_id_cnty") if isinstance(data[0], dict) else None
            if first is not None and first == previous:
                msg = (f"ACLED answered page {page} with the same events as page "
                       f"{page - 1}; it ignored 'page', so the download would never "
                       "end. Nothing was kept.")
                raise SourceError(msg)
            previous = first
            rows.extend(data)
        else:
            msg = f"ACLED still had events after {ACLED_MAX_PAGES} pages; nothing was kept."
            raise SourceError(msg)
        with open(output_file, "w", encoding="utf-8") as handle:
            json.dump({"count": len(rows), "data": rows}, handle, ensure_ascii=False)
