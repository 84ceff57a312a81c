"""AWS Lambda: the operations, thin, over the package's domain modules.

functions.py     configuration documents         code.py          packages on disk
versions.py      PublishVersion, aliases         invoke.py        Invoke
runner.py        environments (warm, cold, provisioned), environments.py one of them
concurrency.py   limits and 429s                 async_invoke.py  the Event queue
settings_api.py  concurrency, permissions, event invoke configs, layers, URL operations
urls.py          function URLs                   layers.py        layer versions
esm_api.py       event source mapping operations; event_sources.py their pollers,
                 event_delivery.py a batch's invoke and retries, event_filters.py FilterCriteria
"""

from __future__ import annotations

import asyncio
import base64
from typing import TYPE_CHECKING, Any

from cloudlet.services.base import Provider
from cloudlet.services.lambda_ import functions as fn
from cloudlet.services.lambda_ import invoke as invoking
from cloudlet.services.lambda_.code import CodeStore
from cloudlet.services.lambda_.concurrency import Concurrency
from cloudlet.services.lambda_.esm_api import EventSourcesApi
from cloudlet.services.lambda_.models import LATEST, invalid, parse_function_name
from cloudlet.services.lambda_.settings_api import SettingsApi, page

if TYPE_CHECKING:
    from cloudlet.context import RequestContext
    from cloudlet.platform.runtime import Platform
    from cloudlet.services.lambda_.environments import Spec

Request = dict[str, Any]
Response = dict[str, Any]


class LambdaProvider(SettingsApi, EventSourcesApi, Provider):
    service = "lambda"
    resumes = True

    def __init__(self, platform: Platform) -> None:
        super().__init__(platform)
        from cloudlet.services.lambda_.async_invoke import AsyncQueue
        from cloudlet.services.lambda_.event_sources import EventSources
        from cloudlet.services.lambda_.layers import Layers
        from cloudlet.services.lambda_.runner import Runner
        from cloudlet.services.lambda_.urls import Urls

        self.functions = fn.FunctionStore(platform.store)
        self.code = CodeStore(platform.config.data_dir)
        self.layers = Layers(platform.store, self.code)
        self.runner = Runner(platform, self.code)
        self.concurrency = Concurrency(platform)
        self.async_queue = AsyncQueue(self)
        self.urls = Urls(self)
        self.event_sources = EventSources(self)
        self._specs: dict[tuple[str, ...], Spec] = {}
        self._reserved_totals: dict[tuple[str, str], int] = {}

    async def start(self) -> None:
        self.async_queue.start()
        await self.urls.start()
        self.event_sources.start()

    async def reset(self) -> None:
        await self.event_sources.reset()
        await self.runner.stop()
        await self.urls.stop()
        self.functions.clear()
        self.concurrency.clear()
        self._specs.clear()
        self._reserved_totals.clear()
        self.async_queue.reset()

    async def shutdown(self) -> None:
        await self.event_sources.shutdown()
        await self.urls.stop()
        await self.runner.stop()

    # helpers shared by the domain modules

    def _function_and_qualifier(
        self, account: str, region: str, function_name: str, qualifier: str | None = None
    ) -> tuple[fn.Record, str | None]:
        name, qualifier = parse_function_name(function_name, account, region, qualifier)
        return self.functions.get(account, region, name), qualifier

    def _spec(self, account: str, region: str, config: fn.Record, version: str) -> Spec:
        key = (account, region, config["FunctionName"], version, config["RevisionId"])
        spec = self._specs.get(key)
        if spec is None:
            if len(self._specs) > 10_000:
                self._specs.clear()
            spec = self._specs[key] = invoking.spec_for(self, account, region, config, version)
            self.runner.retire_revision(key, config["RevisionId"])
        return spec

    def _total_reserved(self, account: str, region: str) -> int:
        scope = (account, region)
        if scope not in self._reserved_totals:
            self._reserved_totals[scope] = sum(
                record.get("reserved") or 0 for record in self.functions.all(account, region)
            )
        return self._reserved_totals[scope]

    def _reservations_changed(self, account: str, region: str) -> None:
        self._reserved_totals.pop((account, region), None)

    def _store_code(self, request: Request) -> dict[str, Any]:
        """Store the package a `Code` member describes; returns {digest, sha256, size}."""
        archive = request.get("ZipFile")
        if archive is None and request.get("S3Bucket"):
            raise invalid(
                f"Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message:"
                f" The specified bucket does not exist (cloudlet serves no S3 yet: bucket"
                f" {request['S3Bucket']})"
            )
        if request.get("ImageUri"):
            fn.validate_settings({"PackageType": "Image"}, False)
        if archive is None:
            raise invalid("Please provide a source for function code.")
        if isinstance(archive, str):
            archive = base64.b64decode(archive)
        package = self.code.add(archive)
        return {"digest": package.digest, "sha256": package.sha256, "size": package.size}

    def _activate_soon(self, account: str, region: str, name: str, revision: str) -> None:
        """Pending → Active once the code is in place (right after the response, as AWS does)."""

        def activate() -> None:
            record = self.functions.find(account, region, name)
            if record is None or record["latest"]["RevisionId"] != revision:
                return
            config = record["latest"]
            config["State"] = "Active"
            for key in ("StateReason", "StateReasonCode"):
                config.pop(key, None)
            self.functions.save(account, region, record)

        asyncio.get_running_loop().call_soon(activate)

    # functions

    def create_function(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import versions

        name, _ = parse_function_name(request["FunctionName"], ctx.account, ctx.region)
        request = {**request, "FunctionName": name}
        fn.validate_settings(request, creating=True)
        if self.functions.find(ctx.account, ctx.region, name) is not None:
            raise fn.conflict(f"Function already exist: {name}")
        code = self._store_code(request.get("Code") or {})
        config = fn.new_configuration(request, ctx.account, ctx.region, code)
        self.layers.attach(ctx.account, ctx.region, config, request.get("Layers") or [])
        record = fn.new_record(config)
        record["tags"] = dict(request.get("Tags") or {})
        self.functions.create(ctx.account, ctx.region, record)
        response = fn.configuration(config)
        self._activate_soon(ctx.account, ctx.region, name, config["RevisionId"])
        if request.get("Publish"):
            config["State"] = "Active"
            published = versions.publish(self, ctx.account, ctx.region, record, {})
            config["State"] = "Pending"
            response["Version"] = published["Version"]
        return response

    def get_function(self, ctx: RequestContext, request: Request) -> Response:
        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        config, _ = fn.resolve(record, qualifier) if qualifier else (record["latest"], LATEST)
        response: Response = {
            "Configuration": fn.configuration(config),
            "Code": {
                "RepositoryType": "S3",
                "Location": self.code.archive(config["_code"]).as_uri(),
            },
        }
        if record["tags"]:
            response["Tags"] = dict(record["tags"])
        if record.get("reserved") is not None:
            response["Concurrency"] = {"ReservedConcurrentExecutions": record["reserved"]}
        return response

    def get_function_configuration(self, ctx: RequestContext, request: Request) -> Response:
        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        config, _ = fn.resolve(record, qualifier) if qualifier else (record["latest"], LATEST)
        return fn.configuration(config)

    def list_functions(self, ctx: RequestContext, request: Request) -> Response:
        records = self.functions.all(ctx.account, ctx.region)
        configs: list[Response] = []
        for record in records:
            configs.append(fn.configuration(record["latest"]))
            if request.get("FunctionVersion") == "ALL":
                configs += [
                    fn.configuration(v)
                    for _, v in sorted(record["versions"].items(), key=lambda kv: int(kv[0]))
                ]
        return page(configs, request, "Functions")

    async def delete_function(self, ctx: RequestContext, request: Request) -> Response:
        record, qualifier = self._function_and_qualifier(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        name = record["latest"]["FunctionName"]
        if qualifier and qualifier != LATEST:
            from cloudlet.services.lambda_ import versions

            versions.delete_version(self, ctx.account, ctx.region, record, qualifier)
            return {"StatusCode": 204}
        if qualifier == LATEST:
            raise invalid("$LATEST version cannot be deleted without deleting the function.")
        self.functions.delete(ctx.account, ctx.region, name)
        self._reservations_changed(ctx.account, ctx.region)
        await self.runner.provision_clear(ctx.account, ctx.region, name)
        self.runner.retire(ctx.account, ctx.region, name)
        for env in self.runner.environments(ctx.account, ctx.region, name):
            env.kill()  # deleting a function ends its running environments too
        await self.urls.function_deleted(ctx.account, ctx.region, name)
        return {"StatusCode": 204}

    def update_function_code(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import versions

        record, _ = self._function_and_qualifier(ctx.account, ctx.region, request["FunctionName"])
        config = record["latest"]
        versions.check_revision(config, request.get("RevisionId"))
        code = self._store_code(request)
        if request.get("DryRun"):
            return fn.configuration(
                {**config, "CodeSha256": code["sha256"], "CodeSize": code["size"]}
            )
        fn.set_code(config, code)
        fn.touch(config)
        config["LastUpdateStatus"] = "Successful"
        self.functions.save(ctx.account, ctx.region, record)
        self.runner.retire(ctx.account, ctx.region, config["FunctionName"], LATEST)
        response = fn.configuration(config)
        if request.get("Publish"):
            response = versions.publish(self, ctx.account, ctx.region, record, {})
        return response

    def update_function_configuration(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import versions

        record, _ = self._function_and_qualifier(ctx.account, ctx.region, request["FunctionName"])
        config = record["latest"]
        versions.check_revision(config, request.get("RevisionId"))
        fn.validate_settings(request, creating=False)
        for key in ("Role", "Handler", "Description", "Timeout", "MemorySize", "Runtime",
                    "TracingConfig", "EphemeralStorage", "KMSKeyArn"):  # fmt: skip
            if key in request:
                config[key] = request[key]
        if "Environment" in request:
            config["Environment"] = {
                "Variables": (request["Environment"] or {}).get("Variables") or {}
            }
        if "DeadLetterConfig" in request:
            config["DeadLetterConfig"] = request["DeadLetterConfig"]
        if "LoggingConfig" in request:
            config["LoggingConfig"] = {**config["LoggingConfig"], **request["LoggingConfig"]}
        if "Layers" in request:
            self.layers.attach(ctx.account, ctx.region, config, request["Layers"] or [])
        fn.touch(config)
        config["LastUpdateStatus"] = "Successful"
        self.functions.save(ctx.account, ctx.region, record)
        self.runner.retire(ctx.account, ctx.region, config["FunctionName"], LATEST)
        return fn.configuration(config)

    # invoke

    async def invoke(self, ctx: RequestContext, request: Request) -> Response:
        return await invoking.invoke(self, ctx.account, ctx.region, request, ctx.request_id)

    # versions and aliases

    def publish_version(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import versions

        record = self._record(ctx, request)
        return versions.publish(self, ctx.account, ctx.region, record, request)

    def list_versions_by_function(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import versions

        return page(versions.list_versions(self._record(ctx, request)), request, "Versions")

    def create_alias(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import versions

        record = self._record(ctx, request)
        return versions.create_alias(self, ctx.account, ctx.region, record, request)

    def get_alias(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import versions

        record = self._record(ctx, request)
        return dict(versions.get_alias(ctx.account, ctx.region, record, request["Name"]))

    def update_alias(self, ctx: RequestContext, request: Request) -> Response:
        from cloudlet.services.lambda_ import versions

        record = self._record(ctx, request)
        return versions.update_alias(self, ctx.account, ctx.region, record, request)

    def delete_alias(self, ctx: RequestContext, request: Request) -> Response:
        record = self._record(ctx, request)
        if record["aliases"].pop(request["Name"], None) is not None:
            record["provisioned"].pop(request["Name"], None)
            record["event_invoke"].pop(request["Name"], None)
            self.functions.save(ctx.account, ctx.region, record)
        return {}

    def list_aliases(self, ctx: RequestContext, request: Request) -> Response:
        record = self._record(ctx, request)
        aliases = [dict(a) for _, a in sorted(record["aliases"].items())]
        if request.get("FunctionVersion"):
            aliases = [a for a in aliases if a["FunctionVersion"] == request["FunctionVersion"]]
        return page(aliases, request, "Aliases")
