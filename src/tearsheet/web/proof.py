"""Proof packages on the web: an article's signed WACZ to download (page and API), and the
public key they are signed with at ``/.well-known/tearsheet-key``.

A package is written on request into a temporary file (never held in memory: an article
may have fifty captures) and sent with its length, so ReplayWeb.page can open it from the
URL; the file is removed once sent. The signing key is loaded (or made) on first use.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import FileResponse, PlainTextResponse
from starlette.background import BackgroundTask

from tearsheet.archive.signing import SigningKey
from tearsheet.archive.wacz import write_file
from tearsheet.archive.warc import default_dir
from tearsheet.config import Settings
from tearsheet.store.browse import Browse
from tearsheet.store.proofs import Proofs
from tearsheet.store.store import Store
from tearsheet.web.api import _READ_ERRORS, PREFIX
from tearsheet.web.params import ArticleId

WACZ_MEDIA_TYPE = "application/wacz"
KEY_PATH = "/.well-known/tearsheet-key"
PACKAGE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {WACZ_MEDIA_TYPE: {}},
          "description": "A signed WACZ package (see docs/proof.md)."}}


def add_proof_routes(app: FastAPI, browse: Browse, store: Store, settings: Settings) -> None:
    """Register the package download (``/articles/{id}/proof.wacz`` and the API's
    ``…/articles/{id}/proof``) and the published key."""
    proofs = Proofs(store)
    api = APIRouter(prefix=PREFIX, tags=["api"])
    keys: list[SigningKey] = []

    def key() -> SigningKey:
        if not keys:
            keys.append(SigningKey.from_settings(settings))
        return keys[0]

    def package(article_id: int) -> FileResponse:
        article = browse.article(article_id)  # None also for a hidden article
        if article is None or not article["version_count"]:
            raise HTTPException(404, f"no article {article_id} with versions")
        fd, name = tempfile.mkstemp(suffix=".wacz")
        os.close(fd)
        path = Path(name)
        try:
            write_file(path, article, proofs.versions_of(article_id),
                       archive_dir=default_dir(settings), key=key(),
                       stamps=proofs.stamps_of(article_id))
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return FileResponse(path, media_type=WACZ_MEDIA_TYPE,
                            filename=f"tearsheet-article-{article_id}.wacz",
                            background=BackgroundTask(path.unlink, missing_ok=True))

    @app.get("/articles/{article_id}/proof.wacz", responses=PACKAGE_RESPONSE)
    def proof_download(article_id: ArticleId) -> FileResponse:
        return package(article_id)

    @api.get("/articles/{article_id}/proof", responses={**_READ_ERRORS, **PACKAGE_RESPONSE},
             response_class=FileResponse)
    def proof_package(article_id: ArticleId) -> FileResponse:
        """The article's captured versions as a signed WACZ proof package."""
        return package(article_id)

    app.include_router(api)

    @app.get(KEY_PATH, response_class=PlainTextResponse)
    def public_key() -> PlainTextResponse:
        signer = key()
        return PlainTextResponse(f"# tearsheet signing key {signer.fingerprint}\n"
                                 + signer.public_pem(),
                                 headers={"Cache-Control": "max-age=3600"})
