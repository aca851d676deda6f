"""A local stand-in for the Google Ads API, reached through the real google-ads SDK: a TLS gRPC
server on 127.0.0.1 (self-signed certificate made here) serving GoogleAdsService.SearchStream,
CampaignService.MutateCampaigns and CampaignBudgetService.MutateCampaignBudgets with the SDK's
own generated messages, and an OAuth token endpoint for the refresh. It records every call with
its metadata (developer-token, authorization) so tests can assert what the SDK sent. For the
publisher it also serves AssetService.MutateAssets, AdGroupAdService.MutateAdGroupAds (validate_only
honoured; every real create kept in `created`), CustomerService.ListAccessibleCustomers and GAQL
searches for an asset by name or an ad by its final URL suffix; it can answer the next mutates of
a method with errors (`fail_next`) or refuse every create with a policy error (`reject`).

The google-ads package ships proto-plus messages but no generated servicers, so the services are
registered as generic handlers under their real method paths.

gRPC reads its trusted roots (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH) once per process, so call
trusted_certificate() before any TLS channel exists: at import of the test module.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import functools
import ipaddress
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import certifi
import grpc

from tests.fakes import JsonHandler, serving

VERSION = "v26"
ACCESS_TOKEN = "ya29.fake-access-token"
_PACKAGE = f"google.ads.googleads.{VERSION}.services"


@dataclass(frozen=True)
class Certificate:
    cert: bytes
    key: bytes


@functools.cache
def trusted_certificate() -> Certificate:
    """A self-signed certificate for localhost and 127.0.0.1, trusted by gRPC in this process
    (beside the usual public roots)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    folder = Path(tempfile.mkdtemp(prefix="fake-google-ads-"))
    atexit.register(shutil.rmtree, folder, True)
    roots = folder / "roots.pem"
    roots.write_bytes(pem + Path(certifi.where()).read_bytes())
    os.environ["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = str(roots)
    return Certificate(pem, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


@dataclass
class FakeGoogleAds:
    developer_token: str
    refresh_token: str
    rows: dict[str, list[dict]] = field(default_factory=dict)  # customer id -> see metric_row()
    campaigns: dict[str, list[dict]] = field(default_factory=dict)  # customer id -> see campaign()
    currency: str = "EUR"  # every customer's
    batch_size: int = 2
    min_budget_micros: int = 1_000_000
    seen: list[dict] = field(default_factory=list)  # {"method", "metadata", "request"} in order
    token_requests: list[dict] = field(default_factory=list)
    endpoint: str = ""
    created: list[dict] = field(default_factory=list)  # {"method", "resource_name", "create"}: every real create
    fail_next: dict[str, list[tuple]] = field(default_factory=dict)  # method -> (grpc.StatusCode, kind, name, message) for its next calls
    reject: tuple | None = None  # (kind, name, message): every create refused with INVALID_ARGUMENT
    token_uri: str = ""

    # -- gRPC methods -------------------------------------------------------------------------
    def search_stream(self, request, context):
        self._check(context, "SearchStream", request)
        query = " ".join(request.query.split())
        types = _types()
        made = re.search(r"(asset\.name|ad_group_ad\.ad\.final_url_suffix) = '([^']*)'", query)
        if made:  # the publisher looking for what an earlier attempt made
            field_name, value = made.groups()
            method, key = ("MutateAssets", "name") if field_name == "asset.name" else ("MutateAdGroupAds", "final_url_suffix")
            rows = [{"asset": {"resource_name": c["resource_name"]}} if method == "MutateAssets" else {"ad_group_ad": {"resource_name": c["resource_name"]}}
                    for c in self.made(method) if c["create"].get(key) == value or c["create"].get("ad", {}).get(key) == value]
            if rows:
                yield types.SearchGoogleAdsStreamResponse(results=[types.GoogleAdsRow(**r) for r in rows])
            return
        if "FROM ad_group_ad" in query:
            first, last = re.search(r"segments\.date BETWEEN '([\d-]+)' AND '([\d-]+)'", query).groups()
            found = [self._metric_row(r) for r in self.rows.get(request.customer_id, []) if first <= r["date"] <= last]
        else:
            name = re.search(r"campaign\.name = '((?:[^'\\]|\\.)*)'", query).group(1).replace("\\'", "'")
            found = [self._campaign_row(request.customer_id, c) for c in self.campaigns.get(request.customer_id, []) if c["name"] == name]
        for start in range(0, len(found), self.batch_size):
            yield types.SearchGoogleAdsStreamResponse(results=found[start:start + self.batch_size])

    def mutate_campaigns(self, request, context):
        self._check(context, "MutateCampaigns", request)
        types = _types()
        results = []
        for op in request.operations:
            campaign = self._find(request.customer_id, "id", op.update.resource_name)
            if not request.validate_only:
                campaign["status"] = op.update.status.name
            results.append(types.MutateCampaignResult(resource_name=op.update.resource_name))
        return types.MutateCampaignsResponse(results=results)

    def mutate_campaign_budgets(self, request, context):
        self._check(context, "MutateCampaignBudgets", request)
        types = _types()
        results = []
        for op in request.operations:
            if op.update.amount_micros < self.min_budget_micros:
                _abort(context, grpc.StatusCode.INVALID_ARGUMENT, "campaign_budget_error", "BUDGET_BELOW_PER_DAY_MINIMUM",
                       "The budget is below the daily minimum.")
            campaign = self._find(request.customer_id, "budget_id", op.update.resource_name)
            if not request.validate_only:
                campaign["amount_micros"] = op.update.amount_micros
            results.append(types.MutateCampaignBudgetResult(resource_name=op.update.resource_name))
        return types.MutateCampaignBudgetsResponse(results=results)

    def mutate_assets(self, request, context):
        return self._create(request, context, "MutateAssets", "assets", _types().MutateAssetsResponse)

    def mutate_ad_group_ads(self, request, context):
        return self._create(request, context, "MutateAdGroupAds", "adGroupAds", _types().MutateAdGroupAdsResponse)

    def list_accessible_customers(self, request, context):
        self._check(context, "ListAccessibleCustomers", request)
        customers = sorted(set(self.campaigns) | set(self.rows)) or ["1234567890"]
        return _types().ListAccessibleCustomersResponse(resource_names=[f"customers/{c}" for c in customers])

    def made(self, method: str) -> list[dict]:
        return [c for c in self.created if c["method"] == method]

    # -- helpers ------------------------------------------------------------------------------
    def _create(self, request, context, method: str, collection: str, response):
        self._check(context, method, request)
        if self.fail_next.get(method):
            code, kind, name, message = self.fail_next[method].pop(0)
            _abort(context, code, kind, name, message)
        if self.reject:
            _abort(context, grpc.StatusCode.INVALID_ARGUMENT, *self.reject)
        results = []
        for op in request.operations:
            name = f"customers/{request.customer_id}/{collection}/{len(self.created) + 1}"
            if not request.validate_only:
                self.created.append({"method": method, "resource_name": name, "create": type(op.create).to_dict(op.create)})
            results.append({"resource_name": name if not request.validate_only else ""})
        return response(results=results)

    def _check(self, context, method: str, request) -> None:
        metadata = dict(context.invocation_metadata())
        self.seen.append({"method": method, "metadata": metadata, "request": type(request).to_dict(request)})
        if metadata.get("developer-token") != self.developer_token:
            _abort(context, grpc.StatusCode.UNAUTHENTICATED, "authentication_error", "DEVELOPER_TOKEN_INVALID",
                   "The developer token is not valid.")
        if metadata.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            _abort(context, grpc.StatusCode.UNAUTHENTICATED, "authentication_error", "OAUTH_TOKEN_INVALID", "The OAuth token is not valid.")

    def _find(self, customer: str, key: str, resource_name: str) -> dict:
        wanted = resource_name.rsplit("/", 1)[-1]
        return next(c for c in self.campaigns.get(customer, []) if str(c[key]) == wanted)

    @staticmethod
    def _metric_row(r: dict):
        return _types().GoogleAdsRow(
            customer={"descriptive_name": r["account"], "currency_code": r["currency"]}, campaign={"name": r["campaign"]},
            ad_group={"name": r["ad_group"]}, ad_group_ad={"ad": {"id": r["ad_id"]}}, segments={"date": r["date"]},
            metrics={"cost_micros": r["cost_micros"], "impressions": r["impressions"], "clicks": r["clicks"],
                     "conversions": r["conversions"], "conversions_value": r["value"], "video_trueview_views": r["views"]})

    def _campaign_row(self, customer: str, c: dict):
        return _types().GoogleAdsRow(
            campaign={"resource_name": f"customers/{customer}/campaigns/{c['id']}", "id": c["id"], "name": c["name"], "status": c["status"],
                      "campaign_budget": f"customers/{customer}/campaignBudgets/{c['budget_id']}"},
            campaign_budget={"resource_name": f"customers/{customer}/campaignBudgets/{c['budget_id']}", "amount_micros": c["amount_micros"],
                             "explicitly_shared": c["shared"]},
            customer={"currency_code": self.currency})


def campaign(number: int, name: str, budget_id: int, amount: float, status: str = "ENABLED", shared: bool = False) -> dict:
    return {"id": number, "name": name, "status": status, "budget_id": budget_id, "amount_micros": round(amount * 1_000_000), "shared": shared}


def metric_row(account: str, campaign: str, ad_group: str, ad_id: int, day: str, cost: float, impressions: int, clicks: int,
               conversions: float = 0.0, value: float = 0.0, views: int = 0, currency: str = "EUR") -> dict:
    return {"account": account, "campaign": campaign, "ad_group": ad_group, "ad_id": ad_id, "date": day, "cost_micros": round(cost * 1_000_000),
            "impressions": impressions, "clicks": clicks, "conversions": conversions, "value": value, "views": views, "currency": currency}


@functools.cache
def _types():
    """The SDK's own generated request, response and row messages."""
    from types import SimpleNamespace

    from google.ads.googleads.v26.services.types import (
        ad_group_ad_service as ads_in_groups,
    )
    from google.ads.googleads.v26.services.types import asset_service as assets
    from google.ads.googleads.v26.services.types import (
        campaign_budget_service as budgets,
    )
    from google.ads.googleads.v26.services.types import campaign_service as campaigns
    from google.ads.googleads.v26.services.types import customer_service as customers
    from google.ads.googleads.v26.services.types import google_ads_service as ads

    return SimpleNamespace(
        SearchGoogleAdsStreamRequest=ads.SearchGoogleAdsStreamRequest, SearchGoogleAdsStreamResponse=ads.SearchGoogleAdsStreamResponse,
        GoogleAdsRow=ads.GoogleAdsRow, MutateCampaignsRequest=campaigns.MutateCampaignsRequest,
        MutateCampaignsResponse=campaigns.MutateCampaignsResponse, MutateCampaignResult=campaigns.MutateCampaignResult,
        MutateCampaignBudgetsRequest=budgets.MutateCampaignBudgetsRequest, MutateCampaignBudgetsResponse=budgets.MutateCampaignBudgetsResponse,
        MutateCampaignBudgetResult=budgets.MutateCampaignBudgetResult, MutateAssetsRequest=assets.MutateAssetsRequest,
        MutateAssetsResponse=assets.MutateAssetsResponse, MutateAdGroupAdsRequest=ads_in_groups.MutateAdGroupAdsRequest,
        MutateAdGroupAdsResponse=ads_in_groups.MutateAdGroupAdsResponse, ListAccessibleCustomersRequest=customers.ListAccessibleCustomersRequest,
        ListAccessibleCustomersResponse=customers.ListAccessibleCustomersResponse)


def _abort(context, code: grpc.StatusCode, kind: str, name: str, message: str) -> None:
    """End the call the way Google Ads does: the status, and a GoogleAdsFailure in the trailing metadata."""
    from google.ads.googleads.v26.errors.types.errors import (
        ErrorCode,
        GoogleAdsError,
        GoogleAdsFailure,
    )

    failure = GoogleAdsFailure(errors=[GoogleAdsError(error_code=ErrorCode(**{kind: name}), message=message)])
    context.set_trailing_metadata(((f"google.ads.googleads.{VERSION}.errors.googleadsfailure-bin", GoogleAdsFailure.serialize(failure)),
                                   ("request-id", "fake-request")))
    context.abort(code, message)


def _handlers(fake: FakeGoogleAds) -> list:
    t = _types()

    def service(name: str, methods: dict) -> grpc.GenericRpcHandler:
        return grpc.method_handlers_generic_handler(f"{_PACKAGE}.{name}", methods)

    return [
        service("GoogleAdsService", {"SearchStream": grpc.unary_stream_rpc_method_handler(
            fake.search_stream, t.SearchGoogleAdsStreamRequest.deserialize, t.SearchGoogleAdsStreamResponse.serialize)}),
        service("CampaignService", {"MutateCampaigns": grpc.unary_unary_rpc_method_handler(
            fake.mutate_campaigns, t.MutateCampaignsRequest.deserialize, t.MutateCampaignsResponse.serialize)}),
        service("CampaignBudgetService", {"MutateCampaignBudgets": grpc.unary_unary_rpc_method_handler(
            fake.mutate_campaign_budgets, t.MutateCampaignBudgetsRequest.deserialize, t.MutateCampaignBudgetsResponse.serialize)}),
        service("AssetService", {"MutateAssets": grpc.unary_unary_rpc_method_handler(
            fake.mutate_assets, t.MutateAssetsRequest.deserialize, t.MutateAssetsResponse.serialize)}),
        service("AdGroupAdService", {"MutateAdGroupAds": grpc.unary_unary_rpc_method_handler(
            fake.mutate_ad_group_ads, t.MutateAdGroupAdsRequest.deserialize, t.MutateAdGroupAdsResponse.serialize)}),
        service("CustomerService", {"ListAccessibleCustomers": grpc.unary_unary_rpc_method_handler(
            fake.list_accessible_customers, t.ListAccessibleCustomersRequest.deserialize, t.ListAccessibleCustomersResponse.serialize)}),
    ]


class _TokenHandler(JsonHandler):
    fake: FakeGoogleAds

    def do_POST(self):
        form = dict(parse_qsl(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()))
        self.fake.token_requests.append(form)
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") == self.fake.refresh_token:
            code, body = 200, {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
        else:
            code, body = 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        self.send_json(code, body)


@contextlib.contextmanager
def fake_google_ads(fake: FakeGoogleAds) -> Iterator[FakeGoogleAds]:
    """Serve fake on 127.0.0.1: fake.endpoint is the gRPC address, fake.token_uri the OAuth endpoint."""
    certificate = trusted_certificate()
    server = grpc.server(ThreadPoolExecutor(max_workers=4), handlers=_handlers(fake))
    port = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials([(certificate.key, certificate.cert)]))
    server.start()
    try:
        with serving(type("Handler", (_TokenHandler,), {"fake": fake})) as tokens:
            fake.endpoint, fake.token_uri = f"127.0.0.1:{port}", f"{tokens}/token"
            yield fake
    finally:
        server.stop(None)
