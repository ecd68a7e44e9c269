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
DTM_COUNTRY = "Democratic Republic of the Congo"
ACLED_COUNTRY = "Democratic Republic of Congo"
ACLED_PAGE = 5000
SIGN_UP = {"dtm-api": "https://dtm.iom.int/data-and-analysis/dtm-api",
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
    """The download URL of the newest HDX resource matching ``source.pattern``."""
    answer = get_json(source.urls[0], timeout=timeout, retries=retries,
                      what=f"HDX dataset of '{source.name}'")
    resources = (answer.get("result") or {}).get("resources") or [] \
        if isinstance(answer, dict) else []
    pattern = re.compile(source.pattern or ".", re.IGNORECASE)
    matching = [r for r in resources if isinstance(r, dict) and r.get("url") and (
        pattern.search(str(r.get("url"))) or pattern.search(str(r.get("name", ""))))]
    if not matching:
        names = [str(r.get("name")) for r in resources if isinstance(r, dict)][:8]
        msg = (f"The HDX dataset of '{source.name}' has no resource matching "
               f"'{source.pattern}'; it lists {names}.")
        raise SourceError(msg)
    matching.sort(key=lambda r: str(r.get("last_modified") or ""), reverse=True)
    return str(matching[0]["url"])


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


def dtm_request(source: Source) -> dict[str, Any]:
    """Keyword arguments for the DTM API request (header key, country filter)."""
    key = require_env(source)["DTM_API_KEY"]
    return {"headers": {"Ocp-Apim-Subscription-Key": key},
            "params": {"CountryName": DTM_COUNTRY}}


class AcledDownloader:
    """A pooch downloader that pages through ACLED's API and writes one JSON file.

    With ``ACLED_PASSWORD`` it signs in with OAuth (ACLED's current API); with
    ``ACLED_KEY`` it uses the older key-and-email query.
    """

    def __init__(self, source: Source, *, timeout: float) -> None:
        self.source = source
        self.timeout = timeout
        self.credentials = require_env(source)

    def _auth(self) -> tuple[str, dict[str, Any]]:
        """The read URL and the request arguments that carry the credentials."""
        read, token_url, legacy = self.source.urls
        email = self.credentials["ACLED_EMAIL"]
        if "ACLED_PASSWORD" in self.credentials:
            response = requests.post(token_url, timeout=self.timeout, data={
                "username": email, "password": self.credentials["ACLED_PASSWORD"],
                "grant_type": "password", "client_id": "acled"})
            response.raise_for_status()
            token = response.json()["access_token"]
            return read, {"headers": {"Authorization": f"Bearer {token}"}, "params": {}}
        return legacy, {"headers": {}, "params": {"key": self.credentials["ACLED_KEY"],
                                                  "email": email}}

    def __call__(self, url: str, output_file: str, pooch: object,
                 check_only: bool = False) -> None:
        """Fetch every page of DRC events into *output_file*."""
        read, auth = self._auth()
        rows: list[dict] = []
        for page in range(1, 1000):
            params = {**auth["params"], "country": ACLED_COUNTRY, "limit": ACLED_PAGE,
                      "page": page, "_format": "json"}
            response = requests.get(read, params=params, headers=auth["headers"],
                                    timeout=self.timeout)
            response.raise_for_status()
            data = response.json().get("data") or []
            rows.extend(data)
            if len(data) < ACLED_PAGE:
                break
        with open(output_file, "w", encoding="utf-8") as handle:
            json.dump({"count": len(rows), "data": rows}, handle, ensure_ascii=False)
