"""An S3 bucket (AWS or any S3-compatible provider) as the target, through boto3.

boto3 finds the credentials, region and endpoint the way every AWS tool does (environment,
AWS_PROFILE, ~/.aws/config and credentials, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL);
``[publish] endpoint_url``, ``region`` and ``profile`` override them. Each object carries its
content hash in its metadata (``x-amz-meta-sha256``); S3's ETag is not one for multipart uploads.
boto3 is imported here only, when a publish runs: a build never loads it.
"""
from __future__ import annotations

import functools
import threading

from pipeline.config import PublishConfig
from pipeline.errors import UserError
from pipeline.hosting.headers import cache_control, content_type
from pipeline.hosting.plan import STATE_NAME, LocalFile, Recorded, RemoteFile, is_published
from pipeline.hosting.targets import parse_state, state_json

MULTIPART_THRESHOLD = 16 * 1024 * 1024  # episodes above it go up in parallel parts
DELETE_BATCH = 1000  # S3's limit per DeleteObjects request
DIGEST_KEY = "sha256"


def _one_line(method):
    """Any failure from boto3 becomes one line naming the target and the cause."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return method(self, *args, **kwargs)
        except (BotoCoreError, ClientError, Boto3Error) as exc:
            raise UserError(f"{self.name}: {self.explain(exc)}") from None
    return wrapper


class S3Target:
    def __init__(self, bucket: str, prefix: str, settings: PublishConfig, *,
                 multipart_threshold: int = MULTIPART_THRESHOLD):
        self.bucket, self.prefix, self.settings = bucket, prefix, settings
        self.name = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
        self.multipart_threshold = multipart_threshold
        self.requests, self.bytes_sent, self.bytes_received = 0, 0, 0
        self._count_lock = threading.Lock()  # multipart parts are sent from several threads
        self._client = None

    @property
    def client(self):
        if self._client is None:
            self._client = self._connect()
        return self._client

    @_one_line
    def _connect(self):
        import boto3
        from botocore.config import Config as BotoConfig

        timeout, attempts = self.settings.timeout_seconds, self.settings.attempts
        session = boto3.session.Session(profile_name=self.settings.profile, region_name=self.settings.region)
        client = session.client("s3", endpoint_url=self.settings.endpoint_url, config=BotoConfig(
            connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": attempts, "mode": "standard"}))
        client.meta.events.register("before-send.s3", self._count_request)
        client.meta.events.register("before-parse.s3", self._count_response)
        return client

    def _count_request(self, request, **_) -> None:
        with self._count_lock:
            self.requests += 1
            self.bytes_sent += int(request.headers.get("Content-Length") or 0)

    def _count_response(self, response_dict, **_) -> None:
        with self._count_lock:
            self.bytes_received += int(response_dict["headers"].get("content-length") or 0)

    def key(self, relative: str) -> str:
        return f"{self.prefix}/{relative}" if self.prefix else relative

    @_one_line
    def list(self) -> dict[str, RemoteFile]:
        start = self.key("")
        found = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", []):
                relative = item["Key"][len(start):]
                if is_published(relative):
                    found[relative] = RemoteFile(int(item["Size"]), item["ETag"].strip('"'))
        return found

    @_one_line
    def load_state(self) -> dict[str, Recorded]:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(STATE_NAME))
        except self.client.exceptions.NoSuchKey:
            return {}
        return parse_state(answer["Body"].read())

    @_one_line
    def save_state(self, state: dict[str, Recorded]) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.key(STATE_NAME), Body=state_json(state),
                               ContentType="application/json", CacheControl="no-store")

    @_one_line
    def stored_digest(self, relative: str) -> str | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self.key(relative))["Metadata"].get(DIGEST_KEY)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                return None
            raise

    @_one_line
    def put(self, file: LocalFile) -> None:
        from boto3.s3.transfer import TransferConfig

        extra = {"ContentType": content_type(file.relative), "CacheControl": cache_control(file.relative),
                 "Metadata": {DIGEST_KEY: file.sha256}}
        if self.settings.public_read:
            extra["ACL"] = "public-read"
        if file.size < self.multipart_threshold:  # one request, no transfer threads
            with open(file.path, "rb") as body:
                self.client.put_object(Bucket=self.bucket, Key=self.key(file.relative), Body=body, **extra)
            return
        transfer = TransferConfig(multipart_threshold=self.multipart_threshold,
                                  multipart_chunksize=max(self.multipart_threshold // 2, 5 * 1024 * 1024))
        self.client.upload_file(str(file.path), self.bucket, self.key(file.relative), ExtraArgs=extra,
                                Config=transfer)

    @_one_line
    def delete(self, relatives: list[str]) -> None:
        for start in range(0, len(relatives), DELETE_BATCH):
            batch = [{"Key": self.key(relative)} for relative in relatives[start:start + DELETE_BATCH]]
            answer = self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
            for error in answer.get("Errors", []):
                raise UserError(f"{self.name}: could not delete {error.get('Key')}: "
                                f"{error.get('Code')} {error.get('Message', '')}".rstrip())

    @_one_line
    def ensure_cors(self, origins: tuple[str, ...]) -> bool:
        """The bucket answers ``origins`` as the embedded player needs (pipeline.player.cors);
        its other CORS rules kept. Read first, written only when it differs: True if written."""
        from botocore.exceptions import ClientError

        from pipeline.player.cors import same_rules, with_rule

        try:
            rules = self.client.get_bucket_cors(Bucket=self.bucket)["CORSRules"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchCORSConfiguration":
                raise
            rules = []
        wanted = with_rule(rules, origins)
        if same_rules(rules, wanted):
            return False
        self.client.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": wanted})
        return True

    def explain(self, exc: Exception) -> str:
        """The cause of a boto3 failure in words a publisher can act on."""
        from botocore.exceptions import (ClientError, ConnectTimeoutError, EndpointConnectionError,
                                         NoCredentialsError, PartialCredentialsError, ProfileNotFound,
                                         ReadTimeoutError)
        from botocore.parsers import ResponseParserError

        if isinstance(exc.__context__, ClientError) and not isinstance(exc, ClientError):
            exc = exc.__context__  # boto3's S3UploadFailedError wraps the answer that refused the upload
        if isinstance(exc, ClientError):
            return self._refusal(exc)
        where = self._endpoint()
        if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
            return ("no credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, "
                    "or ~/.aws/credentials)")
        if isinstance(exc, ProfileNotFound):
            return f"no profile {self.settings.profile or exc.kwargs.get('profile')!r} in ~/.aws/config"
        if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError)):
            return f"{where} did not answer within {self.settings.timeout_seconds:g} s"
        if isinstance(exc, EndpointConnectionError):
            return f"cannot reach {where} (is the endpoint URL right and the service up?)"
        if isinstance(exc, ResponseParserError):
            return f"{where} gave no usable S3 answer (it is not S3's XML)"
        return f"{type(exc).__name__}: {exc}".replace("\n", " ")

    def _refusal(self, exc) -> str:
        error = exc.response.get("Error", {})
        code, status = error.get("Code", ""), exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in ("NoSuchBucket", "404") and exc.operation_name in ("ListObjectsV2", "HeadBucket"):
            return f"bucket {self.bucket!r} does not exist at {self._endpoint()}"
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken",
                    "AuthorizationHeaderMalformed"):
            return f"wrong credentials: the provider refused them ({code})"
        if code in ("AccessDenied", "AllAccessDisabled", "403") or status == 403:
            return "access denied (check the key's permissions and the bucket policy)"
        message = error.get("Message") or ""
        if isinstance(status, int) and status >= 500:
            # botocore also turns a 200 whose body is not XML into a 500: garbage or a real fault.
            return (f"{self._endpoint()} gave no usable S3 answer to {exc.operation_name} ({status} {message}) "
                    f"after {self.settings.attempts} attempt(s)")
        return f"{exc.operation_name} failed: {code or status} {message}".rstrip()

    def _endpoint(self) -> str:
        return self._client.meta.endpoint_url if self._client is not None else "the S3 endpoint"
