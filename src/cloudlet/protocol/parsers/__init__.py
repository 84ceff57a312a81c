"""Request parsers, one per wire protocol, in the `PARSERS` registry (as botocore's `parsers`).

json                JSONParser      X-Amz-Target + JSON body
smithy-rpc-v2-cbor  CBORParser      /service/<S>/operation/<Op> + CBOR body
query               QueryParser     Action=<Op> form fields
ec2                 EC2Parser       Action=<Op> form fields, EC2 names
rest-json           RestJSONParser  method + URI, bindings, JSON body
rest-xml            RestXMLParser   method + URI, bindings, XML body
"""

from __future__ import annotations

from cloudlet.protocol.parsers.base import RequestParser
from cloudlet.protocol.parsers.cbor import CBORParser
from cloudlet.protocol.parsers.json import JSONParser
from cloudlet.protocol.parsers.query import EC2Parser, QueryParser
from cloudlet.protocol.parsers.rest import RestJSONParser, RestXMLParser

PARSERS: dict[str, RequestParser] = {
    "json": JSONParser(),
    "smithy-rpc-v2-cbor": CBORParser(),
    "query": QueryParser(),
    "ec2": EC2Parser(),
    "rest-json": RestJSONParser(),
    "rest-xml": RestXMLParser(),
}

__all__ = ["PARSERS", "RequestParser"]
