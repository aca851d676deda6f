"""Approved campaign changes sent to the platforms: pause a campaign, or set its daily budget.

    results = dry_run_then_apply([CampaignChange("meta", "act_42", "Autumn", "pause")], lib=lib)

Each change is first sent as a dry run (Meta execution_options=["validate_only"], Google Ads
validate_only=True): the platform checks it and changes nothing. Only when every dry run passed
are the changes sent for real, so one bad change never leaves a plan half applied at the start.
Campaigns are found by name in the account; a budget is refused when its currency is not the
account's, or (Google) when the budget is shared with other campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from studio.core.analytics.connectors import saved_credentials
from studio.core.analytics.connectors.google import customer_id, google_client, google_errors
from studio.core.analytics.connectors.meta import account_id, meta_api, meta_errors
from studio.core.errors import BadInput, StudioError

KINDS = ("pause", "set_daily_budget")
# Meta keeps budgets in the currency's smallest unit; these currencies have no cents there (Meta's "currency offset" 1)
_META_WHOLE_UNITS = {"CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD", "VND"}


@dataclass(frozen=True)
class CampaignChange:
    platform: str  # meta | google
    account: str  # Meta act_123; Google 123-456-7890
    campaign: str  # the campaign's name, as in the facts
    kind: str  # pause | set_daily_budget
    amount: float | None = None  # set_daily_budget: the new daily budget in currency units
    currency: str | None = None  # the currency of amount; must be the account's

    def __post_init__(self):
        if self.platform not in ("meta", "google"):
            raise BadInput(f"Campaign changes can be sent to Meta or Google Ads, not {self.platform!r}; export a bulk sheet instead.")
        if self.kind not in KINDS:
            raise BadInput(f"{self.kind!r} is not a change the studio can send; it sends {' or '.join(KINDS)}.")
        if self.kind == "set_daily_budget" and not (self.amount and self.amount > 0 and self.currency):
            raise BadInput(f"A new daily budget for {self.campaign!r} needs a positive amount and its currency.")

    def describe(self) -> str:
        what = "pause" if self.kind == "pause" else f"set the daily budget to {self.amount:.2f} {self.currency} for"
        return f"{what} {_TITLE[self.platform]} campaign {self.campaign!r} in {self.account}"


@dataclass
class ChangeResult:
    change: CampaignChange
    validated: bool = False  # the platform accepted the dry run
    applied: bool = False
    message: str = ""


_TITLE = {"meta": "Meta", "google": "Google Ads"}


@dataclass
class Connections:
    """The platforms' clients, built on first use from the keyring (secrets: an unlocked SecretStore;
    default the user's). endpoints: platform -> another API address (a proxy, a local test server)."""

    secrets: object = None
    endpoints: dict[str, str] = field(default_factory=dict)
    google_token_uri: str | None = None
    _clients: dict = field(default_factory=dict, init=False, repr=False)

    def meta(self):
        if "meta" not in self._clients:
            token = saved_credentials("meta", self.secrets)["access_token"]
            self._clients["meta"] = (meta_api(token, self.endpoints.get("meta")), token)
        return self._clients["meta"]

    def google(self):
        if "google" not in self._clients:
            fields = saved_credentials("google_ads", self.secrets)
            with google_errors("signing in to Google Ads", fields):
                client = google_client(fields, endpoint=self.endpoints.get("google"), token_uri=self.google_token_uri)
            self._clients["google"] = (client, fields)
        return self._clients["google"]


def apply_change(change: CampaignChange, *, validate_only: bool, connections: Connections | None = None) -> str:
    """Send one change (validate_only: as a dry run that changes nothing). Returns what happened,
    in a sentence; raises StudioError (BadInput for a change that cannot be right) when refused."""
    connections = connections or Connections()
    send = _apply_meta if change.platform == "meta" else _apply_google
    return send(change, validate_only, connections)


def dry_run_then_apply(changes: list[CampaignChange], *, connections: Connections | None = None, lib=None) -> list[ChangeResult]:
    """Dry-run every change; only if all pass, apply them in order (stopping at the first the platform
    refuses). With lib, each sending is an audit event."""
    connections = connections or Connections()
    results = [ChangeResult(c) for c in changes]
    for result in results:
        result.validated, result.message = _send(result.change, True, connections, lib)
    refused = [r for r in results if not r.validated]
    if refused:
        for result in results:
            if result.validated:
                result.message = f"Not applied: {len(refused)} of the {len(results)} changes failed their dry run. {result.message}"
        return results
    for index, result in enumerate(results):
        result.applied, result.message = _send(result.change, False, connections, lib)
        if not result.applied:
            for rest in results[index + 1:]:
                rest.message = f"Not sent: an earlier change was refused. {rest.message}"
            break
    return results


def _send(change: CampaignChange, validate_only: bool, connections: Connections, lib) -> tuple[bool, str]:
    try:
        ok, message = True, apply_change(change, validate_only=validate_only, connections=connections)
    except StudioError as exc:
        ok, message = False, str(exc)
    if lib is not None:
        from studio.core import audit
        from studio.core.ops.tx import actor

        with lib.write_lock, lib.engine.begin() as conn:
            audit.append(conn, actor(), f"{'Dry run' if validate_only else 'Send'}: {change.describe()}", {
                "platform": change.platform, "account": change.account, "campaign": change.campaign, "kind": change.kind,
                "amount": change.amount, "currency": change.currency, "validate_only": validate_only, "ok": ok, "message": message})
    return ok, message


def _outcome(change: CampaignChange, validate_only: bool, before: str) -> str:
    if validate_only:
        return f"{_TITLE[change.platform]} accepted the dry run: {change.describe()} ({before}); nothing was changed yet."
    return f"Done: {change.describe()} ({before})."


# -- Meta -------------------------------------------------------------------------------------------

def _apply_meta(change: CampaignChange, validate_only: bool, connections: Connections) -> str:
    from facebook_business.adobjects.adaccount import AdAccount
    from facebook_business.adobjects.campaign import Campaign

    api, token = connections.meta()
    account = account_id(change.account)
    with meta_errors(f"looking up campaign {change.campaign!r} in {account}", token):
        found = [c for c in AdAccount(account, api=api).get_campaigns(fields=["id", "name", "status", "daily_budget"])
                 if c["name"] == change.campaign]
        currency = AdAccount(account, api=api).api_get(fields=["currency"])["currency"] if change.kind == "set_daily_budget" else None
    campaign = _only(found, change)
    if change.kind == "pause":
        params, before = {"status": Campaign.Status.paused}, f"it was {campaign.get('status', 'unknown').lower()}"
    else:
        _same_currency(change, currency)
        unit = 1 if currency in _META_WHOLE_UNITS else 100
        params = {"daily_budget": int(_round(change.amount * unit))}
        before = f"it was {int(campaign['daily_budget']) / unit:.2f} {currency}" if campaign.get("daily_budget") else "it had no campaign budget"
    if validate_only:
        params["execution_options"] = ["validate_only"]
    with meta_errors(f"sending '{change.describe()}'", token):
        Campaign(campaign["id"], api=api).api_update(params=params)
    return _outcome(change, validate_only, before)


# -- Google Ads -------------------------------------------------------------------------------------

_FIND = """
SELECT campaign.resource_name, campaign.name, campaign.status, campaign_budget.resource_name,
       campaign_budget.amount_micros, campaign_budget.explicitly_shared, customer.currency_code
FROM campaign
WHERE campaign.name = '{name}'
"""


def _apply_google(change: CampaignChange, validate_only: bool, connections: Connections) -> str:
    from google.api_core import protobuf_helpers

    client, fields = connections.google()
    customer = customer_id(change.account)
    name = change.campaign.replace("\\", "\\\\").replace("'", "\\'")
    with google_errors(f"looking up campaign {change.campaign!r} in {customer}", fields):
        service = client.get_service("GoogleAdsService")
        found = [row for batch in service.search_stream(customer_id=customer, query=_FIND.format(name=name)) for row in batch.results]
    row = _only(found, change)
    if change.kind == "pause":
        service, operation = client.get_service("CampaignService"), client.get_type("CampaignOperation")
        operation.update.resource_name = row.campaign.resource_name
        operation.update.status = client.enums.CampaignStatusEnum.PAUSED
        before, send = f"it was {row.campaign.status.name.lower()}", "mutate_campaigns"
    else:
        _same_currency(change, row.customer.currency_code)
        if row.campaign_budget.explicitly_shared:
            raise BadInput(f"{change.campaign!r} uses a budget shared with other campaigns; change it in Google Ads, where you see "
                           "all of them. Nothing was changed.")
        service, operation = client.get_service("CampaignBudgetService"), client.get_type("CampaignBudgetOperation")
        operation.update.resource_name = row.campaign_budget.resource_name
        operation.update.amount_micros = int(_round(change.amount * 1_000_000))
        before, send = f"it was {row.campaign_budget.amount_micros / 1e6:.2f} {row.customer.currency_code}", "mutate_campaign_budgets"
    client.copy_from(operation.update_mask, protobuf_helpers.field_mask(None, type(operation.update).pb(operation.update)))
    with google_errors(f"sending '{change.describe()}'", fields):
        getattr(service, send)(request={"customer_id": customer, "operations": [operation], "validate_only": validate_only})
    return _outcome(change, validate_only, before)


# -- shared checks ----------------------------------------------------------------------------------

def _only(found: list, change: CampaignChange):
    if not found:
        raise BadInput(f"There is no campaign named {change.campaign!r} in {_TITLE[change.platform]} account {change.account}; "
                       "it may have been renamed or removed. Nothing was changed.")
    if len(found) > 1:
        raise BadInput(f"{len(found)} campaigns are named {change.campaign!r} in {change.account}; give them different names "
                       "on the platform so the studio can tell them apart. Nothing was changed.")
    return found[0]


def _same_currency(change: CampaignChange, currency: str | None) -> None:
    if change.currency.upper() != (currency or "").upper():
        raise BadInput(f"The new budget for {change.campaign!r} is in {change.currency}, but account {change.account} spends in "
                       f"{currency}; give the amount in {currency}. Nothing was changed.")


def _round(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
