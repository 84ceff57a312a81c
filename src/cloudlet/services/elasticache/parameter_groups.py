"""Cache parameter groups: AWS's default groups (read-only, never stored) and users' groups.

A user's group is a document {name, family, description, values} where `values` holds only the
parameters changed from the family's defaults. `effective` merges them for the engine; the
provider pushes changed values into running nodes (`fleet.apply_parameters`).
"""

from __future__ import annotations

from typing import Any

from cloudlet.errors import ServiceError
from cloudlet.services.elasticache import parameters
from cloudlet.services.elasticache.models import arn
from cloudlet.services.elasticache.store import EcStore

KIND = "parameter-group"


class ParameterGroups:
    def __init__(self, store: EcStore) -> None:
        self.store = store

    def _default(self, name: str) -> dict[str, Any] | None:
        for group_name, family, cluster_on in parameters.default_group_names():
            if group_name == name:
                return {
                    "name": name,
                    "family": family,
                    "description": f"Default parameter group for {family}",
                    "values": {"cluster-enabled": "yes"} if cluster_on else {},
                    "default": True,
                }
        return None

    def get(self, account: str, region: str, name: str) -> dict[str, Any]:
        doc = self._default(name) or self.store.get(account, region, KIND, name.lower())
        if doc is None:
            raise ServiceError(
                f"CacheParameterGroup {name} not found.", code="CacheParameterGroupNotFoundFault"
            )
        return doc

    def all(self, account: str, region: str) -> list[dict[str, Any]]:
        defaults = [self.get(account, region, n) for n, _, _ in parameters.default_group_names()]
        return sorted(
            defaults + self.store.documents_of(account, region, KIND), key=lambda d: d["name"]
        )

    def effective(self, account: str, region: str, name: str) -> dict[str, str]:
        doc = self.get(account, region, name)
        return {**parameters.defaults(doc["family"]), **doc["values"]}

    def create(self, account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
        name = request["CacheParameterGroupName"]
        family = request["CacheParameterGroupFamily"]
        parameters.check_family(family)
        if self._default(name) is not None or name.lower().startswith("default."):
            raise ServiceError(
                f"Parameter group {name} already exists.",
                code="CacheParameterGroupAlreadyExistsFault",
            )
        doc = {
            "name": name.lower(),
            "family": family,
            "description": request["Description"],
            "values": {},
            "default": False,
        }
        if not self.store.insert(account, region, KIND, name.lower(), doc):
            raise ServiceError(
                f"Parameter group {name} already exists.",
                code="CacheParameterGroupAlreadyExistsFault",
            )
        return doc

    def delete(self, account: str, region: str, name: str) -> None:
        doc = self.get(account, region, name)
        if doc.get("default"):
            raise ServiceError(
                f"Default parameter group {name} cannot be deleted.",
                code="InvalidCacheParameterGroupStateFault",
            )
        self.store.delete(account, region, KIND, doc["name"])

    def _modifiable(self, account: str, region: str, name: str) -> dict[str, Any]:
        doc = self.get(account, region, name)
        if doc.get("default"):
            raise ServiceError(
                f"Cannot modify default parameter group {name}.",
                code="InvalidCacheParameterGroupStateFault",
            )
        return doc

    def modify(
        self, account: str, region: str, name: str, changes: list[dict[str, str]]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Apply `ParameterNameValues`; returns the group and the values that changed."""
        doc = self._modifiable(account, region, name)
        changed: dict[str, str] = {}
        for change in changes:
            parameter = parameters.definition(doc["family"], change["ParameterName"])
            value = change.get("ParameterValue", "")
            parameter.check(value)
            changed[parameter.name] = value
        doc["values"].update(changed)
        self.store.put(account, region, KIND, doc["name"], doc)
        return doc, changed

    def reset(
        self, account: str, region: str, name: str, reset_all: bool, names: list[str]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Back to the family's defaults (all, or the named ones); returns the values set."""
        doc = self._modifiable(account, region, name)
        if not reset_all and not names:
            raise ServiceError(
                "Either ResetAllParameters must be true or ParameterNameValues given.",
                code="InvalidParameterCombinationException",
            )
        defaults = parameters.defaults(doc["family"])
        targets = list(doc["values"]) if reset_all else names
        changed = {}
        for parameter_name in targets:
            parameter = parameters.definition(doc["family"], parameter_name)
            doc["values"].pop(parameter.name, None)
            changed[parameter.name] = defaults[parameter.name]
        self.store.put(account, region, KIND, doc["name"], doc)
        return doc, changed


def describe_group(doc: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    return {
        "CacheParameterGroupName": doc["name"],
        "CacheParameterGroupFamily": doc["family"],
        "Description": doc["description"],
        "IsGlobal": False,
        "ARN": arn(region, account, "parametergroup", doc["name"]),
    }


def describe_parameters(doc: dict[str, Any], source: str | None) -> list[dict[str, Any]]:
    result = []
    for parameter in parameters.definitions(doc["family"]):
        user = parameter.name in doc["values"] and not doc.get("default")
        origin = "user" if user else "system"
        if source and source != origin and not (source == "engine-default" and not user):
            continue
        value = doc["values"].get(parameter.name, parameter.default)
        if doc.get("default") and parameter.name == "cluster-enabled":
            value = doc["values"].get("cluster-enabled", parameter.default)
        entry: dict[str, Any] = {
            "ParameterName": parameter.name,
            "Description": parameter.description,
            "Source": origin,
            "DataType": parameter.data_type,
            "IsModifiable": parameter.modifiable,
            "MinimumEngineVersion": parameter.minimum_engine_version,
            "ChangeType": parameter.change_type,
        }
        if value != "":
            entry["ParameterValue"] = value
        if parameter.allowed:
            entry["AllowedValues"] = parameter.allowed
        result.append(entry)
    return result
