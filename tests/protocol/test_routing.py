"""REST routing: method + URI (+ query and headers) to the operation, with labels decoded."""

from __future__ import annotations

import pytest

from cloudlet.http import HttpRequest
from cloudlet.protocol import service_model
from cloudlet.protocol.routing import match


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "operation", "labels"),
    [
        ("GET", "/", "", {}, "ListBuckets", {}),
        ("GET", "/", "max-directory-buckets=5", {}, "ListDirectoryBuckets", {}),
        ("GET", "/bucket", "", {}, "ListObjects", {"Bucket": "bucket"}),
        ("GET", "/bucket/", "", {}, "ListObjects", {"Bucket": "bucket"}),
        ("GET", "/bucket", "list-type=2", {}, "ListObjectsV2", {"Bucket": "bucket"}),
        ("GET", "/bucket", "acl", {}, "GetBucketAcl", {"Bucket": "bucket"}),
        (
            "GET",
            "/bucket",
            "analytics",
            {},
            "ListBucketAnalyticsConfigurations",
            {"Bucket": "bucket"},
        ),
        (
            "GET",
            "/bucket",
            "analytics&id=a",
            {},
            "GetBucketAnalyticsConfiguration",
            {"Bucket": "bucket"},
        ),
        (
            "GET",
            "/bucket",
            "lifecycle",
            {},
            "GetBucketLifecycleConfiguration",
            {"Bucket": "bucket"},
        ),
        (
            "PUT",
            "/b/dir/my%20key.txt",
            "",
            {},
            "PutObject",
            {"Bucket": "b", "Key": "dir/my key.txt"},
        ),
        (
            "PUT",
            "/b/k",
            "",
            {"x-amz-copy-source": "src/k"},
            "CopyObject",
            {"Bucket": "b", "Key": "k"},
        ),
        ("PUT", "/b/k", "partNumber=1&uploadId=u", {}, "UploadPart", {"Bucket": "b", "Key": "k"}),
        (
            "PUT",
            "/b/k",
            "partNumber=1&uploadId=u",
            {"x-amz-copy-source": "src/k"},
            "UploadPartCopy",
            {"Bucket": "b", "Key": "k"},
        ),
        ("DELETE", "/b/k", "uploadId=u", {}, "AbortMultipartUpload", {"Bucket": "b", "Key": "k"}),
        ("DELETE", "/b/k/", "", {}, "DeleteObject", {"Bucket": "b", "Key": "k/"}),
        ("POST", "/b/k", "uploads", {}, "CreateMultipartUpload", {"Bucket": "b", "Key": "k"}),
    ],
)
def test_s3_routes(
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    operation: str,
    labels: dict[str, str],
) -> None:
    found, found_labels = match(service_model("s3"), HttpRequest(method, path, query, headers))

    assert (found.name, found_labels) == (operation, labels)


def test_labels_are_percent_decoded() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    path = "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af"

    found, labels = match(service_model("lambda"), HttpRequest("GET", path + "/configuration"))

    assert (found.name, labels) == ("GetFunctionConfiguration", {"FunctionName": arn})


def test_literal_query_values_must_match() -> None:
    found, _ = match(
        service_model("cloudfront"),
        HttpRequest("POST", "/2020-05-31/tagging", "Operation=Untag&Resource=arn"),
    )

    assert found.name == "UntagResource"


def test_no_route() -> None:
    with pytest.raises(LookupError):
        match(service_model("lambda"), HttpRequest("GET", "/nowhere"))
