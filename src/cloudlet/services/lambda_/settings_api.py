"""Lambda operations that configure a function rather than run it: concurrency, provisioned
concurrency, permissions and tags, event invoke configs, layers and function URLs.

A mixin of `LambdaProvider` (which owns the stores it uses), kept apart so each module stays
small; like the provider, every method only validates, calls domain code and shapes the output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from cloudlet.services.lambda_ import functions as fn
from cloudlet.services.lambda_.models import LATEST, invalid

if TYPE_CHECKING:
    from cloudlet.context import RequestContext
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.lambda_.layers import Layers
    from cloudlet.services.lambda_.provider import LambdaProvider
    from cloudlet.services.lambda_.runner import Runner
    from cloudlet.services.lambda_.urls import Urls

Request = dict[str, Any]
Response = dict[str, Any]


class SettingsApi:
    """Configuration operations (see the module docstring)."""

    platform: Platform
    functions: fn.FunctionStore
    layers: Layers
    runner: Runner
    urls: Urls

    def _function_and_qualifier(
        self, account: str, region: str, function_name: str, qualifier: str | None = None
    ) -> tuple[fn.Record, str | None]:
        raise NotImplementedError

    def _total_reserved(self, account: str, region: str) -> int:
        raise NotImplementedError

    def _reservations_changed(self, account: str, region: str) -> None:
        raise NotImplementedError

    def _provider(self) -> LambdaProvider:
        return cast("LambdaProvider", self)

    def _record(self, ctx: RequestContext, request: Request) -> fn.Record:
        record, _ = self._function_and_qualifier(ctx.account, ctx.region, request["FunctionName"])
        return record

    # concurrency

    def put_function_concurrency(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_.concurrency import account_limit
        from cloudlet.services.lambda_.models import MIN_UNRESERVED

        record = self._record(ctx, request)
        wanted = int(request["ReservedConcurrentExecutions"])
        limit = account_limit(self.platform, ctx.account, ctx.region)
        others = self._total_reserved(ctx.account, ctx.region) - (record.get("reserved") or 0)
        if limit - others - wanted < MIN_UNRESERVED:
            raise invalid(
                "Specified ReservedConcurrentExecutions for function decreases account's"
                f" UnreservedConcurrentExecution below its minimum value of [{MIN_UNRESERVED}]."
            )
        record["reserved"] = wanted
        self.functions.save(ctx.account, ctx.region, record)
        self._reservations_changed(ctx.account, ctx.region)
        return {"ReservedConcurrentExecutions": wanted}

    def get_function_concurrency(self, ctx: RequestContext, request: Request) -> Response:
        record = self._record(ctx, request)
        if record.get("reserved") is None:
            return {}
        return {"ReservedConcurrentExecutions": record["reserved"]}

    def delete_function_concurrency(self, ctx: RequestContext, request: Request) -> Response:
        record = self._record(ctx, request)
        record["reserved"] = None
        self.functions.save(ctx.account, ctx.region, record)
        self._reservations_changed(ctx.account, ctx.region)
        return {}

    def get_account_settings(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_.concurrency import account_limit
        from cloudlet.services.lambda_.models import TOTAL_CODE_LIMIT, UNZIPPED_LIMIT, ZIPPED_LIMIT

        limit = account_limit(self.platform, ctx.account, ctx.region)
        records = self.functions.all(ctx.account, ctx.region)
        code_size = sum(
            config["CodeSize"] for r in records for config in [r["latest"], *r["versions"].values()]
        )
        return {
            "AccountLimit": {
                "TotalCodeSize": TOTAL_CODE_LIMIT,
                "CodeSizeUnzipped": UNZIPPED_LIMIT,
                "CodeSizeZipped": ZIPPED_LIMIT,
                "ConcurrentExecutions": limit,
                "UnreservedConcurrentExecutions": limit
                - self._total_reserved(ctx.account, ctx.region),
            },
            "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": len(records)},
        }

    def put_provisioned_concurrency_config(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import provisioned

        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        count = int(request["ProvisionedConcurrentExecutions"])
        return provisioned.put(self._provider(), ctx.account, ctx.region, record, qualifier, count)

    def get_provisioned_concurrency_config(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import provisioned

        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        return provisioned.get(record, qualifier, ctx.account, ctx.region)

    async def delete_provisioned_concurrency_config(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        from cloudlet.services.lambda_ import provisioned

        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        await provisioned.delete(self._provider(), ctx.account, ctx.region, record, qualifier)
        return {}

    def list_provisioned_concurrency_configs(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        from cloudlet.services.lambda_ import provisioned

        record = self._record(ctx, request)
        configs = provisioned.listing(record, ctx.account, ctx.region)
        return page(configs, request, "ProvisionedConcurrencyConfigs")

    # permissions and tags

    def add_permission(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import policy

        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        response = policy.add_permission(
            record, ctx.account, ctx.region, {**request, "Qualifier": qualifier}
        )
        self.functions.save(ctx.account, ctx.region, record)
        return response

    def remove_permission(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import policy

        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        policy.remove_permission(record, {**request, "Qualifier": qualifier})
        self.functions.save(ctx.account, ctx.region, record)
        return {}

    def get_policy(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import policy

        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        return policy.get_policy(record, qualifier)

    def _tagged(self, ctx: RequestContext, arn: str) -> fn.Record:
        from cloudlet.services.lambda_ import policy

        name = policy.function_for_arn(arn, ctx.account, ctx.region)
        return self.functions.get(ctx.account, ctx.region, name)

    def tag_resource(self, ctx: RequestContext, request: Request) -> Response:
        record = self._tagged(ctx, request["Resource"])
        record["tags"].update(request.get("Tags") or {})
        self.functions.save(ctx.account, ctx.region, record)
        return {}

    def untag_resource(self, ctx: RequestContext, request: Request) -> Response:
        record = self._tagged(ctx, request["Resource"])
        for key in request.get("TagKeys") or []:
            record["tags"].pop(key, None)
        self.functions.save(ctx.account, ctx.region, record)
        return {}

    def list_tags(self, ctx: RequestContext, request: Request) -> Response:
        return {"Tags": dict(self._tagged(ctx, request["Resource"])["tags"])}

    # asynchronous invocation settings

    def _event_config_target(self, ctx: RequestContext, request: Request) -> tuple[fn.Record, str]:
        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        qualifier = qualifier or LATEST
        if qualifier != LATEST:
            fn.resolve(record, qualifier)  # raises for an unknown version or alias
        return record, qualifier

    def _event_config(self, ctx: RequestContext, record: fn.Record, qualifier: str) -> Response:
        from cloudlet.services.lambda_.models import error, function_arn

        config = record["event_invoke"].get(qualifier)
        name = record["latest"]["FunctionName"]
        arn = function_arn(ctx.region, ctx.account, name, qualifier)
        if config is None:
            raise error(
                "ResourceNotFoundException", f"The function {arn} doesn't have an EventInvokeConfig"
            )
        return {"FunctionArn": arn, **config}

    def _store_event_config(self, ctx: RequestContext, request: Request, merge: bool) -> Response:
        import time

        record, qualifier = self._event_config_target(ctx, request)
        current = dict(record["event_invoke"].get(qualifier) or {}) if merge else {}
        for key in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"):
            if key in request:
                current[key] = request[key]
        destinations = current.setdefault("DestinationConfig", {})
        destinations.setdefault("OnSuccess", {})
        destinations.setdefault("OnFailure", {})
        current["LastModified"] = time.time()
        record["event_invoke"][qualifier] = current
        self.functions.save(ctx.account, ctx.region, record)
        return self._event_config(ctx, record, qualifier)

    def put_function_event_invoke_config(self, ctx: RequestContext, request: Request) -> Response:
        return self._store_event_config(ctx, request, merge=False)

    def update_function_event_invoke_config(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        return self._store_event_config(ctx, request, merge=True)

    def get_function_event_invoke_config(self, ctx: RequestContext, request: Request) -> Response:
        record, qualifier = self._event_config_target(ctx, request)
        return self._event_config(ctx, record, qualifier)

    def delete_function_event_invoke_config(
        self, ctx: RequestContext, request: Request
    ) -> Response:
        record, qualifier = self._event_config_target(ctx, request)
        self._event_config(ctx, record, qualifier)
        del record["event_invoke"][qualifier]
        self.functions.save(ctx.account, ctx.region, record)
        return {}

    def list_function_event_invoke_configs(self, ctx: RequestContext, request: Request) -> Response:
        record = self._record(ctx, request)
        configs = [self._event_config(ctx, record, q) for q in sorted(record["event_invoke"])]
        return page(configs, request, "FunctionEventInvokeConfigs")

    # layers

    def publish_layer_version(self, ctx: RequestContext, request: Request) -> Response:
        return self.layers.publish(ctx.account, ctx.region, request)

    def get_layer_version(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_.layers import public

        body = self.layers.get(
            ctx.account, ctx.region, request["LayerName"], int(request["VersionNumber"])
        )
        return public(body)

    def get_layer_version_by_arn(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_.layers import public

        return public(self.layers.by_arn(ctx.account, ctx.region, request["Arn"]))

    def list_layer_versions(self, ctx: RequestContext, request: Request) -> Response:
        versions = self.layers.versions(ctx.account, ctx.region, request["LayerName"])
        return page(versions, request, "LayerVersions")

    def list_layers(self, ctx: RequestContext, request: Request) -> Response:
        return page(self.layers.latest(ctx.account, ctx.region), request, "Layers")

    def delete_layer_version(self, ctx: RequestContext, request: Request) -> Response:
        self.layers.delete(
            ctx.account, ctx.region, request["LayerName"], int(request["VersionNumber"])
        )
        return {}

    # function URLs

    async def create_function_url_config(self, ctx: RequestContext, request: Request) -> Response:
        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        return await self.urls.create(ctx.account, ctx.region, record, qualifier, request)

    def get_function_url_config(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_.urls import _check_qualifier

        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        qualifier = _check_qualifier(record, qualifier, ctx.account, ctx.region)
        return self.urls.public(ctx.account, ctx.region, record, qualifier)

    def update_function_url_config(self, ctx: RequestContext, request: Request) -> Response:
        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        return self.urls.update(ctx.account, ctx.region, record, qualifier, request)

    async def delete_function_url_config(self, ctx: RequestContext, request: Request) -> Response:
        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        await self.urls.delete(ctx.account, ctx.region, record, qualifier)
        return {}

    def list_function_url_configs(self, ctx: RequestContext, request: Request) -> Response:
        record = self._record(ctx, request)
        configs = [
            self.urls.public(ctx.account, ctx.region, record, q) for q in sorted(record["urls"])
        ]
        return page(configs, request, "FunctionUrlConfigs")


def page(items: list[Response], request: Request, key: str) -> Response:
    """Marker/MaxItems paging (the marker is the index of the next item)."""
    marker = str(request.get("Marker") or "0")
    if not marker.isdigit():
        raise invalid(f"Invalid marker: {marker}")
    start = int(marker)
    size = int(request.get("MaxItems") or 50)
    response: Response = {key: items[start : start + size]}
    if start + size < len(items):
        response["NextMarker"] = str(start + size)
    return response
