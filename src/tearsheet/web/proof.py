"""Proof packages on the web: an article's signed WACZ to download (page and API), and the
public key they are signed with at ``/.well-known/tearsheet-key``.

ReplayWeb.page opens a package by URL from another origin, reading it with range requests:
so these routes answer any origin (``Access-Control-Allow-Origin: *``, a preflight allowing
``Range``), serve ranges, and each request of a package gets the same bytes. A package is
written once per state of its article (versions and timestamps; see
:meth:`Proofs.package_state`) into ``proof-packages/`` in the data directory, streamed
there (never held in memory: an article may have fifty captures), and served from it until
the article changes. The signing key is loaded (or made) on first use.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Response
from fastapi.responses import FileResponse, PlainTextResponse

from tearsheet.archive.signing import SigningKey
from tearsheet.archive.wacz import write_package
from tearsheet.archive.warc import data_dir, default_dir
from tearsheet.config import Settings
from tearsheet.store.browse import Browse
from tearsheet.store.proofs import Proofs
from tearsheet.store.store import Store
from tearsheet.web.api import _READ_ERRORS, PREFIX
from tearsheet.web.params import ArticleId

WACZ_MEDIA_TYPE = "application/wacz"
KEY_PATH = "/.well-known/tearsheet-key"
PAGE_PATH = "/articles/{article_id}/proof.wacz"
API_PATH = "/articles/{article_id}/proof"
PACKAGE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {WACZ_MEDIA_TYPE: {}},
          "description": "A signed WACZ package (see docs/proof.md)."}}
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "Content-Length, Content-Range, Accept-Ranges, "
                                         "Content-Disposition, ETag"}
PREFLIGHT = {"Access-Control-Allow-Origin": "*",
             "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
             "Access-Control-Allow-Headers": "Range", "Access-Control-Max-Age": "86400"}


def add_proof_routes(app: FastAPI, browse: Browse, store: Store, settings: Settings) -> None:
    """Register the package download (``/articles/{id}/proof.wacz`` and the API's
    ``…/articles/{id}/proof``) and the published key, open to every origin."""
    proofs = Proofs(store)
    api = APIRouter(prefix=PREFIX, tags=["api"])
    folder = data_dir(settings) / "proof-packages"
    keys: list[SigningKey] = []
    writing = threading.Lock()

    def key() -> SigningKey:
        if not keys:
            keys.append(SigningKey.from_settings(settings))
        return keys[0]

    def written(article: dict[str, Any], article_id: int) -> Path:
        """The article's package as it stands: the one already written, or a new one."""
        state = f"{proofs.package_state(article_id)} {key().fingerprint}"
        path = folder / (f"article-{article_id}-"
                         f"{hashlib.sha256(state.encode()).hexdigest()[:20]}.wacz")
        with writing:
            if path.exists():
                return path
            folder.mkdir(parents=True, exist_ok=True)
            fd, partial = tempfile.mkstemp(dir=folder, suffix=".partial")
            try:
                with os.fdopen(fd, "wb") as fh:
                    write_package(fh, article, proofs.versions_of(article_id),
                                  archive_dir=default_dir(settings), key=key(),
                                  stamps=proofs.stamps_of(article_id))
                os.replace(partial, path)
            finally:
                Path(partial).unlink(missing_ok=True)
            for old in folder.glob(f"article-{article_id}-*.wacz"):
                if old != path:  # an earlier state's
                    old.unlink(missing_ok=True)
        return path

    def package(article_id: int) -> FileResponse:
        article = browse.article(article_id)  # None also for a hidden article
        if article is None or not article["version_count"]:
            raise HTTPException(404, f"no article {article_id} with versions")
        return FileResponse(written(article, article_id), media_type=WACZ_MEDIA_TYPE,
                            filename=f"tearsheet-article-{article_id}.wacz", headers=CORS)

    def preflight() -> Response:
        return Response(status_code=204, headers=PREFLIGHT)

    # HEAD is answered for every route by HeadAsGet (web/app.py): a HEAD method named here
    # too would give the OpenAPI schema a second operation of the same id.
    @app.get(PAGE_PATH, responses=PACKAGE_RESPONSE)
    def proof_download(article_id: ArticleId) -> FileResponse:
        return package(article_id)

    @api.get(API_PATH, responses={**_READ_ERRORS, **PACKAGE_RESPONSE},
             response_class=FileResponse)
    def proof_package(article_id: ArticleId) -> FileResponse:
        """The article's captured versions as a signed WACZ proof package (open to any
        origin, with range requests, for ReplayWeb.page)."""
        return package(article_id)

    app.include_router(api)

    @app.get(KEY_PATH, response_class=PlainTextResponse)
    def public_key() -> PlainTextResponse:
        signer = key()
        return PlainTextResponse(f"# tearsheet signing key {signer.fingerprint}\n"
                                 + signer.public_pem(),
                                 headers={"Cache-Control": "max-age=3600", **CORS})

    for path in (PAGE_PATH, PREFIX + API_PATH, KEY_PATH):
        app.add_api_route(path, preflight, methods=["OPTIONS"], include_in_schema=False)
