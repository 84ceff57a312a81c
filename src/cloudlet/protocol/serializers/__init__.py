"""Response serializers, one per wire protocol, in the `SERIALIZERS` registry.

json                JSONSerializer      JSON body, x-amzn-ErrorType / __type errors
smithy-rpc-v2-cbor  CBORSerializer      CBOR body, __type errors
query               QuerySerializer     <OpResponse><OpResult>…, <ErrorResponse> errors
ec2                 EC2Serializer       <OpResponse><requestId>…, <Response><Errors> errors
rest-json           RestJSONSerializer  status/header/payload bindings + JSON
rest-xml            RestXMLSerializer   status/header/payload bindings + XML
"""

from __future__ import annotations

from cloudlet.protocol.serializers.base import ResponseSerializer
from cloudlet.protocol.serializers.cbor import CBORSerializer
from cloudlet.protocol.serializers.json import JSONSerializer
from cloudlet.protocol.serializers.query import EC2Serializer, QuerySerializer
from cloudlet.protocol.serializers.rest import RestJSONSerializer, RestXMLSerializer

SERIALIZERS: dict[str, ResponseSerializer] = {
    "json": JSONSerializer(),
    "smithy-rpc-v2-cbor": CBORSerializer(),
    "query": QuerySerializer(),
    "ec2": EC2Serializer(),
    "rest-json": RestJSONSerializer(),
    "rest-xml": RestXMLSerializer(),
}

__all__ = ["SERIALIZERS", "ResponseSerializer"]
