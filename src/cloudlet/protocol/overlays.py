"""Protocol-level facts the current botocore models no longer carry (generated data, do not edit).

SQS moved from the query protocol to JSON 1.0 (botocore 1.34.x, early 2024) and its model lost the
query traits: the singular `locationName`s of flattened lists and maps (`AttributeName.1`,
`Attribute.1.Name`, `MessageAttribute.1.Value.StringValue`, `<Message>` elements), the
`resultWrapper` of each output, the `xmlNamespace`, and the modeled query error codes
(`AWS.SimpleQueueService.NonExistentQueue`, ...). Older SDKs and CLIs (AWS CLI v2 up to 2.15, boto3
before 1.34.x) still speak query, and AWS still answers them; the JSON protocol's
`x-amzn-query-error` header also carries these codes.

`SQS_QUERY` is the difference between botocore 1.34.22's `sqs/2012-11-05/service-2.json` (the last
query model) and the current one, limited to `locationName`, `flattened`, `resultWrapper`,
`xmlNamespace` and `error`. `models.protocol_model` deep-merges it over the current model to get the
query variant.
"""

# ruff: noqa: E501
from __future__ import annotations

from typing import Any

# fmt: off
SQS_QUERY: dict[str, Any] = {
    "metadata": {"xmlNamespace": "http://queue.amazonaws.com/doc/2012-11-05/"},
    "operations": {
        "CancelMessageMoveTask": {"output": {"resultWrapper": "CancelMessageMoveTaskResult"}},
        "ChangeMessageVisibilityBatch": {"output": {"resultWrapper": "ChangeMessageVisibilityBatchResult"}},
        "CreateQueue": {"output": {"resultWrapper": "CreateQueueResult"}},
        "DeleteMessageBatch": {"output": {"resultWrapper": "DeleteMessageBatchResult"}},
        "GetQueueAttributes": {"output": {"resultWrapper": "GetQueueAttributesResult"}},
        "GetQueueUrl": {"output": {"resultWrapper": "GetQueueUrlResult"}},
        "ListDeadLetterSourceQueues": {"output": {"resultWrapper": "ListDeadLetterSourceQueuesResult"}},
        "ListMessageMoveTasks": {"output": {"resultWrapper": "ListMessageMoveTasksResult"}},
        "ListQueueTags": {"output": {"resultWrapper": "ListQueueTagsResult"}},
        "ListQueues": {"output": {"resultWrapper": "ListQueuesResult"}},
        "ReceiveMessage": {"output": {"resultWrapper": "ReceiveMessageResult"}},
        "SendMessage": {"output": {"resultWrapper": "SendMessageResult"}},
        "SendMessageBatch": {"output": {"resultWrapper": "SendMessageBatchResult"}},
        "StartMessageMoveTask": {"output": {"resultWrapper": "StartMessageMoveTaskResult"}},
    },
    "shapes": {
        "AWSAccountIdList": {"member": {"locationName": "AWSAccountId"}},
        "ActionNameList": {"member": {"locationName": "ActionName"}},
        "AttributeNameList": {"member": {"locationName": "AttributeName"}},
        "BatchEntryIdsNotDistinct": {"error": {"code": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "httpStatusCode": 400, "senderFault": True}},
        "BatchRequestTooLong": {"error": {"code": "AWS.SimpleQueueService.BatchRequestTooLong", "httpStatusCode": 400, "senderFault": True}},
        "BatchResultErrorEntryList": {"member": {"locationName": "BatchResultErrorEntry"}},
        "BinaryList": {"member": {"locationName": "BinaryListValue"}},
        "ChangeMessageVisibilityBatchRequestEntryList": {"member": {"locationName": "ChangeMessageVisibilityBatchRequestEntry"}},
        "ChangeMessageVisibilityBatchResultEntryList": {"member": {"locationName": "ChangeMessageVisibilityBatchResultEntry"}},
        "CreateQueueRequest": {"members": {"Attributes": {"locationName": "Attribute"}, "tags": {"locationName": "Tag"}}},
        "DeleteMessageBatchRequestEntryList": {"member": {"locationName": "DeleteMessageBatchRequestEntry"}},
        "DeleteMessageBatchResultEntryList": {"member": {"locationName": "DeleteMessageBatchResultEntry"}},
        "EmptyBatchRequest": {"error": {"code": "AWS.SimpleQueueService.EmptyBatchRequest", "httpStatusCode": 400, "senderFault": True}},
        "GetQueueAttributesResult": {"members": {"Attributes": {"locationName": "Attribute"}}},
        "InvalidBatchEntryId": {"error": {"code": "AWS.SimpleQueueService.InvalidBatchEntryId", "httpStatusCode": 400, "senderFault": True}},
        "ListMessageMoveTasksResultEntryList": {"member": {"locationName": "ListMessageMoveTasksResultEntry"}},
        "ListQueueTagsResult": {"members": {"Tags": {"locationName": "Tag"}}},
        "Message": {"members": {"Attributes": {"locationName": "Attribute"}, "MessageAttributes": {"locationName": "MessageAttribute"}}},
        "MessageAttributeNameList": {"member": {"locationName": "MessageAttributeName"}},
        "MessageAttributeValue": {"members": {"BinaryListValues": {"locationName": "BinaryListValue"}, "StringListValues": {"locationName": "StringListValue"}}},
        "MessageBodyAttributeMap": {"key": {"locationName": "Name"}, "value": {"locationName": "Value"}},
        "MessageBodySystemAttributeMap": {"key": {"locationName": "Name"}, "value": {"locationName": "Value"}},
        "MessageList": {"member": {"locationName": "Message"}},
        "MessageNotInflight": {"error": {"code": "AWS.SimpleQueueService.MessageNotInflight", "httpStatusCode": 400, "senderFault": True}},
        "MessageSystemAttributeMap": {"key": {"locationName": "Name"}, "locationName": "Attribute", "value": {"locationName": "Value"}},
        "MessageSystemAttributeValue": {"members": {"BinaryListValues": {"locationName": "BinaryListValue"}, "StringListValues": {"locationName": "StringListValue"}}},
        "OverLimit": {"error": {"code": "OverLimit", "httpStatusCode": 403, "senderFault": True}},
        "PurgeQueueInProgress": {"error": {"code": "AWS.SimpleQueueService.PurgeQueueInProgress", "httpStatusCode": 403, "senderFault": True}},
        "QueueAttributeMap": {"key": {"locationName": "Name"}, "locationName": "Attribute", "value": {"locationName": "Value"}},
        "QueueDeletedRecently": {"error": {"code": "AWS.SimpleQueueService.QueueDeletedRecently", "httpStatusCode": 400, "senderFault": True}},
        "QueueDoesNotExist": {"error": {"code": "AWS.SimpleQueueService.NonExistentQueue", "httpStatusCode": 400, "senderFault": True}},
        "QueueNameExists": {"error": {"code": "QueueAlreadyExists", "httpStatusCode": 400, "senderFault": True}},
        "QueueUrlList": {"member": {"locationName": "QueueUrl"}},
        "ResourceNotFoundException": {"error": {"code": "ResourceNotFoundException", "httpStatusCode": 404, "senderFault": True}},
        "SendMessageBatchRequestEntry": {"members": {"MessageAttributes": {"locationName": "MessageAttribute"}, "MessageSystemAttributes": {"locationName": "MessageSystemAttribute"}}},
        "SendMessageBatchRequestEntryList": {"member": {"locationName": "SendMessageBatchRequestEntry"}},
        "SendMessageBatchResultEntryList": {"member": {"locationName": "SendMessageBatchResultEntry"}},
        "SendMessageRequest": {"members": {"MessageAttributes": {"locationName": "MessageAttribute"}, "MessageSystemAttributes": {"locationName": "MessageSystemAttribute"}}},
        "SetQueueAttributesRequest": {"members": {"Attributes": {"locationName": "Attribute"}}},
        "StringList": {"member": {"locationName": "StringListValue"}},
        "TagKeyList": {"member": {"locationName": "TagKey"}},
        "TagMap": {"key": {"locationName": "Key"}, "locationName": "Tag", "value": {"locationName": "Value"}},
        "TooManyEntriesInBatchRequest": {"error": {"code": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "httpStatusCode": 400, "senderFault": True}},
        "UnsupportedOperation": {"error": {"code": "AWS.SimpleQueueService.UnsupportedOperation", "httpStatusCode": 400, "senderFault": True}},
    },
}
# fmt: on
