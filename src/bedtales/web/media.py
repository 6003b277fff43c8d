"""``GET /media/{key}``: the files behind the local store's signed links.

The signature and expiry are checked by :meth:`LocalMediaStore.verify`; this route only
maps its answer to HTTP. A ``FileResponse`` serves the file, so Range requests (seeking in
a narration) work. With the S3 store, links go to S3 itself and this route answers 404.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from bedtales.errors import LinkExpired, LinkRefused, NotFound
from bedtales.media import MediaStore
from bedtales.media.local import LocalMediaStore

router = APIRouter()


def media_store(request: Request) -> MediaStore:
    store: MediaStore = request.app.state.bedtales.tools.media
    return store


@router.get("/media/{key:path}", response_model=None)
def serve_media(
    key: str,
    store: Annotated[MediaStore, Depends(media_store)],
    expires: Annotated[str | None, Query()] = None,
    signature: Annotated[str | None, Query()] = None,
) -> Response:
    # a plain def: FastAPI runs it in a worker thread, so file checks never block the loop
    if not isinstance(store, LocalMediaStore):
        return _error(404, "not found")
    try:
        path = store.verify(key, expires, signature)
    except LinkExpired as exc:  # before LinkRefused, which it extends
        return _error(410, str(exc))
    except LinkRefused as exc:
        return _error(403, str(exc))
    except NotFound:
        return _error(404, "not found")
    # verify checked that expires is a number; browsers may keep the file until then
    max_age = max(0, int(expires or 0) - int(time.time()))
    return FileResponse(
        path,
        media_type=store.mime_type(key),
        headers={"Cache-Control": f"private, max-age={max_age}"},
    )


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": message}, status_code=status, headers={"Cache-Control": "no-store"}
    )
