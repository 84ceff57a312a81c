"""Cache subnet groups. cloudlet has no VPCs: a subnet group is a named list of subnet ids that
clusters may refer to; subnets are reported in the group's region's first availability zone.
"""

from __future__ import annotations

from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.elasticache.models import arn
from cloudlet.services.elasticache.store import EcStore
from cloudlet.services.servicequotas.quotas import applied_value

KIND = "subnet-group"
DEFAULT_VPC = "vpc-00000000000000000"


class SubnetGroups:
    def __init__(self, store: EcStore, platform: Any) -> None:
        self.store = store
        self.platform = platform

    def get(self, account: str, region: str, name: str) -> dict[str, Any]:
        doc = self.store.get(account, region, KIND, name.lower())
        if doc is None:
            raise ServiceError(
                f"Cache subnet group {name} not found.", code="CacheSubnetGroupNotFoundFault"
            )
        return doc

    def _check_subnets(self, account: str, region: str, subnet_ids: list[str]) -> None:
        limit = applied_value(self.platform, account, region, "elasticache", "L-A87EE522")
        if len(subnet_ids) > limit:
            raise ServiceError(
                f"The request cannot be processed. The maximum number of subnets per subnet"
                f" group is {int(limit)}.",
                code="CacheSubnetQuotaExceededFault",
            )
        for subnet in subnet_ids:
            if not subnet.startswith("subnet-"):
                raise ServiceError(f"The subnet ID {subnet} does not exist", code="InvalidSubnet")

    def create(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        name = request["CacheSubnetGroupName"].lower()
        self._check_subnets(account, region, request["SubnetIds"])
        limit = applied_value(self.platform, account, region, "elasticache", "L-3E7F7726")
        if len(self.store.documents_of(account, region, KIND)) >= limit:
            raise ServiceError(
                "The request cannot be processed. The maximum number of subnet groups has been"
                " reached.",
                code="CacheSubnetGroupQuotaExceededFault",
            )
        doc = {
            "name": name,
            "description": request["CacheSubnetGroupDescription"],
            "subnets": list(dict.fromkeys(request["SubnetIds"])),
        }
        if not self.store.insert(account, region, KIND, name, doc):
            raise ServiceError(
                f"Cache subnet group {name} already exists.",
                code="CacheSubnetGroupAlreadyExistsFault",
            )
        return doc

    def modify(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        doc = self.get(account, region, request["CacheSubnetGroupName"])
        if "CacheSubnetGroupDescription" in request:
            doc["description"] = request["CacheSubnetGroupDescription"]
        if request.get("SubnetIds"):
            self._check_subnets(account, region, request["SubnetIds"])
            doc["subnets"] = list(dict.fromkeys(request["SubnetIds"]))
        self.store.put(account, region, KIND, doc["name"], doc)
        return doc

    def delete(self, account: str, region: str, name: str, in_use: bool) -> None:
        doc = self.get(account, region, name)
        if in_use:
            raise ServiceError(
                f"Cache subnet group {doc['name']} is currently in use by a cache cluster.",
                code="CacheSubnetGroupInUse",
            )
        self.store.delete(account, region, KIND, doc["name"])

    def describe(self, account: str, region: str, doc: dict[str, Any]) -> dict[str, Any]:
        return {
            "CacheSubnetGroupName": doc["name"],
            "CacheSubnetGroupDescription": doc["description"],
            "VpcId": DEFAULT_VPC,
            "Subnets": [
                {
                    "SubnetIdentifier": subnet,
                    "SubnetAvailabilityZone": {"Name": f"{region}a"},
                    "SupportedNetworkTypes": ["ipv4"],
                }
                for subnet in doc["subnets"]
            ],
            "ARN": arn(region, account, "subnetgroup", doc["name"]),
            "SupportedNetworkTypes": ["ipv4"],
        }
