"""Tags on log groups: TagResource family (by ARN) and the legacy TagLogGroup family."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]


@pytest.mark.parametrize("suffix", ["", ":*"])
def test_tag_resource(logs: Any, account: str, suffix: str) -> None:
    logs.create_log_group(logGroupName="tagged", tags={"team": "a"})
    arn = f"arn:aws:logs:us-east-1:{account}:log-group:tagged{suffix}"
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a"}
    logs.tag_resource(resourceArn=arn, tags={"team": "b", "env": "dev"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "b", "env": "dev"}
    logs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "dev"}


def test_legacy_tag_log_group(logs: Any) -> None:
    logs.create_log_group(logGroupName="legacy")
    logs.tag_log_group(logGroupName="legacy", tags={"a": "1", "b": "2"})
    logs.untag_log_group(logGroupName="legacy", tags=["a"])
    assert logs.list_tags_log_group(logGroupName="legacy")["tags"] == {"b": "2"}


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:logs:us-east-1:{account}:log-group:absent",
        "arn:aws:logs:eu-west-1:{account}:log-group:tagged",
        "arn:aws:logs:us-east-1:{account}:destination:d",
    ],
)
def test_unknown_resource(logs: Any, account: str, arn: str, aws_error: Error) -> None:
    logs.create_log_group(logGroupName="tagged")
    with pytest.raises(ClientError) as exc:
        logs.list_tags_for_resource(resourceArn=arn.format(account=account))
    assert aws_error(exc.value)[0::2] == ("ResourceNotFoundException", 400)


def test_at_most_fifty_tags(logs: Any, account: str, aws_error: Error) -> None:
    logs.create_log_group(logGroupName="many", tags={f"k{i}": "v" for i in range(40)})
    arn = f"arn:aws:logs:us-east-1:{account}:log-group:many"
    with pytest.raises(ClientError) as exc:
        logs.tag_resource(resourceArn=arn, tags={f"x{i}": "v" for i in range(11)})
    assert aws_error(exc.value) == (
        "TooManyTagsException",
        "A resource can only have 50 tags.",
        400,
    )
