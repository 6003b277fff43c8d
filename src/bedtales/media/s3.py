"""The S3 media store: any S3-compatible server (AWS, SeaweedFS, MinIO, R2) through boto3.

Links are real presigned GET URLs, so the server itself checks their signature and expiry
and the web app never serves these files. Errors from botocore become bedtales errors with
a message that says what failed and where: NoSuchKey is :class:`NotFound`, a missing bucket
or refused credentials is :class:`ConfigError` (a setting is wrong), anything else
(unreachable endpoint, timeouts, 5xx after retries) is :class:`StorageError`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn, cast

import boto3  # type: ignore[import-untyped]  # no stubs here; the client is typed below
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    NoCredentialsError,
)

from bedtales.errors import BedtalesError, ConfigError, NotFound, StorageError
from bedtales.media import MediaStore, stores
from bedtales.media.local import check_key, check_mime, check_prefix, link_expiry

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

    from bedtales.config import MediaSettings, Settings

log = logging.getLogger(__name__)

# DeleteObjects takes at most this many keys per request
_DELETE_BATCH = 1000
_MISSING_OBJECT = frozenset({"NoSuchKey", "NotFound", "404"})
_MISSING_BUCKET = frozenset({"NoSuchBucket", "NotFound", "404"})
_REFUSED = frozenset(
    {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403", "Forbidden"}
)
_CREDENTIALS_HELP = (
    "check media.s3_access_key_id and media.s3_secret_access_key "
    "(BEDTALES_MEDIA__S3_ACCESS_KEY_ID, BEDTALES_MEDIA__S3_SECRET_ACCESS_KEY) and their rights"
)


@stores.register("s3")
def create_store(settings: Settings) -> MediaStore:
    return S3MediaStore.from_settings(settings)


class S3MediaStore:
    """One bucket of an S3-compatible server. Safe to share between threads: boto3 clients
    are, and this class keeps no other state."""

    name = "s3"

    def __init__(self, client: S3Client, bucket: str, signer: S3Client | None = None) -> None:
        self._client = client
        # signs links for the address the families reach (signing is local: no request)
        self._signer = signer or client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings: Settings) -> S3MediaStore:
        media = settings.media
        public = media.s3_public_endpoint_url
        signer = None if public is None else make_client(media, endpoint_url=public)
        store = cls(make_client(media), media.s3_bucket, signer)
        if settings.media.s3_create_bucket:
            store.ensure_bucket()
        else:
            store.check_bucket()
        return store

    def check_bucket(self) -> None:
        """Refuse a bucket that does not exist (one HeadBucket): without it every picture and
        narration would fail and retry until dead-lettered, so the process stops at start with
        how to make it. Any other answer (unreachable, refused) is only logged here: the store
        operations report it with their own reasons, and a server that is down for a moment
        must not keep workers and the site from starting."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if _code(exc) in _MISSING_BUCKET:
                endpoint = self._client.meta.endpoint_url
                raise ConfigError(_missing_bucket_help(self.bucket, endpoint)) from None
            log.warning("could not check S3 bucket %s: %s", self._where(None), _code(exc))
        except BotoCoreError as exc:
            log.warning("could not check S3 bucket %s: %s", self._where(None), exc)

    def ensure_bucket(self) -> None:
        """Create the bucket unless it exists already."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if _code(exc) not in _MISSING_BUCKET:
                self._raise(exc, "check bucket")
        except BotoCoreError as exc:
            self._raise(exc, "check bucket")
        region = self._client.meta.region_name
        with self._translated("create bucket"):
            try:
                if region in (None, "us-east-1"):  # AWS refuses a constraint naming it
                    self._client.create_bucket(Bucket=self.bucket)
                else:
                    self._client.create_bucket(
                        Bucket=self.bucket,
                        CreateBucketConfiguration={"LocationConstraint": region},
                    )
            except ClientError as exc:
                if _code(exc) != "BucketAlreadyOwnedByYou":  # made by a racing process
                    raise
        log.info("created S3 bucket %s at %s", self.bucket, self._client.meta.endpoint_url)

    # objects

    def put(self, key: str, data: bytes, mime: str) -> None:
        check_key(key)
        check_mime(mime)
        with self._translated("put", key):
            self._client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=mime)

    def get(self, key: str) -> bytes:
        check_key(key)
        with self._translated("get", key):
            response = self._client.get_object(Bucket=self.bucket, Key=key)
            data: bytes = response["Body"].read()
        return data

    def exists(self, key: str) -> bool:
        check_key(key)
        try:
            self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in _MISSING_OBJECT:
                return False
            self._raise(exc, "check", key)
        except BotoCoreError as exc:
            self._raise(exc, "check", key)
        return True

    def delete_prefix(self, prefix: str) -> int:
        check_prefix(prefix)
        with self._translated("list", prefix):
            # everything is listed before anything is deleted: some servers' continuation
            # tokens are positions, which deleting under them would shift
            keys = list(self._keys(prefix))
        with self._translated("delete", prefix):
            for start in range(0, len(keys), _DELETE_BATCH):
                self._delete_batch(keys[start : start + _DELETE_BATCH], prefix)
        return len(keys)

    # links

    def link(self, key: str, expires_at: datetime, *, now: datetime | None = None) -> str:
        """A presigned GET URL. Its clock starts when it is signed (S3 has no other); ``now``
        only sets how long it lives: ``expires_at - now``, at most seven days, at least 1 s."""
        check_key(key)
        current, expiry = link_expiry(expires_at, now)
        seconds = max(1, math.floor((expiry - current).total_seconds()))
        with self._translated("sign a link to", key):
            return self._signer.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=seconds
            )

    def close(self) -> None:
        self._client.close()
        if self._signer is not self._client:
            self._signer.close()

    # helpers

    def _keys(self, prefix: str) -> Iterator[str]:
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                if "Key" in item:
                    yield item["Key"]

    def _delete_batch(self, keys: list[str], prefix: str) -> None:
        objects: list[ObjectIdentifierTypeDef] = [{"Key": key} for key in keys]
        response = self._client.delete_objects(
            Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True}
        )
        errors = response.get("Errors", [])
        if errors:
            first = errors[0]
            raise StorageError(
                f"S3 could not delete {len(errors)} of {len(keys)} objects under "
                f"{self._where(prefix)}; first: {first.get('Key')}: "
                f"{first.get('Code')} {first.get('Message')}"
            )

    @contextmanager
    def _translated(self, action: str, key: str | None = None) -> Iterator[None]:
        try:
            yield
        except (ClientError, BotoCoreError) as exc:
            self._raise(exc, action, key)

    def _raise(self, exc: Exception, action: str, key: str | None = None) -> NoReturn:
        raise _translate(exc, action, self._where(key), self.bucket) from exc

    def _where(self, key: str | None) -> str:
        path = f"{self.bucket}/{key}" if key else self.bucket
        return f"{path} at {self._client.meta.endpoint_url}"


def make_client(media: MediaSettings, *, endpoint_url: str | None = None) -> S3Client:
    """A boto3 S3 client for these settings (credentials from them, else boto3's chain), at
    ``endpoint_url`` if given, else ``media.s3_endpoint_url``."""
    endpoint_url = endpoint_url or media.s3_endpoint_url
    key_id = media.s3_access_key_id
    secret = media.s3_secret_access_key
    if (key_id is None) != (secret is None):
        raise ConfigError(
            "set both media.s3_access_key_id and media.s3_secret_access_key, or neither "
            "(then boto3 finds credentials in its usual places)"
        )
    config = Config(
        signature_version="s3v4",
        region_name=media.s3_region,
        connect_timeout=5,
        read_timeout=60,
        # standard mode retries throttling, 5xx and dropped connections with backoff
        retries={"max_attempts": 4, "mode": "standard"},
        # SeaweedFS and MinIO serve buckets by path, not by host name
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        # checksums only where S3 demands them: not every compatible server knows the new ones
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = boto3.session.Session()
    client: Any = session.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret.get_secret_value() if secret else None,
        config=config,
    )
    return cast("S3Client", client)


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _translate(exc: Exception, action: str, where: str, bucket: str) -> BedtalesError:
    """A bedtales error for a botocore one; the message never holds credentials (botocore's
    own messages do not, and nothing else is added but names and codes)."""
    if isinstance(exc, NoCredentialsError):
        return ConfigError(f"S3 has no credentials to {action} {where}: {_CREDENTIALS_HELP}")
    if not isinstance(exc, ClientError):
        return StorageError(f"S3 could not {action} {where}: {exc}")
    code = _code(exc)
    message = exc.response.get("Error", {}).get("Message") or code
    if code == "NoSuchBucket":
        return ConfigError(
            f"S3 bucket {bucket!r} does not exist ({where}): create it, "
            "or set media.s3_create_bucket = true"
        )
    if code in _MISSING_OBJECT:
        return NotFound(f"no media stored under {where}")
    if code in _REFUSED:
        return ConfigError(f"S3 refused to {action} {where} ({code}): {_CREDENTIALS_HELP}")
    return StorageError(f"S3 could not {action} {where}: {code}: {message}")


def _missing_bucket_help(bucket: str, endpoint: str) -> str:
    """The message for a bucket that is missing while media.s3_create_bucket is off."""
    return (
        f"S3 bucket {bucket!r} does not exist at {endpoint} and media.s3_create_bucket is false "
        "(BEDTALES_MEDIA__S3_CREATE_BUCKET): create it, e.g. "
        f"`aws s3 mb s3://{bucket} --endpoint-url {endpoint}` or, in SeaweedFS's "
        f"`weed shell`, `s3.bucket.create -name {bucket}`; or set "
        "BEDTALES_MEDIA__S3_CREATE_BUCKET=true to have bedtales create it at start "
        "(see docs/deploy.md)"
    )
