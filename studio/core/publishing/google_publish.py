"""Publishing one ad to Google Ads through google-ads: the image as an image asset named
conext-<key> (when the post has one), then a responsive search ad in copy["ad_group"] (an ad
group id), its headline and description fields one text a line, linking to copy["final_url"].
Each create is sent with validate_only=True first, so a refused ad changes nothing, then for real.

The ad carries the final URL suffix conext=<key>; before creating, a GAQL search looks for an ad
with it (and for the asset by its name), so a publisher that crashed after Google made them does
not make them twice.
"""

from __future__ import annotations

import contextlib
import logging

from studio.core.analytics.connectors import redact
from studio.core.analytics.connectors.google import _AUTH, _RATE, customer_id
from studio.core.errors import BadInput
from studio.core.publishing.publisher import PublishError, PublishJob, Steps

log = logging.getLogger(__name__)

_TRANSIENT = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL", "RESOURCE_EXHAUSTED", "ABORTED"}


def publish(client, fields: dict, job: PublishJob, steps: Steps) -> dict[str, str]:
    customer = customer_id(job.account)
    ad_group, final_url = str(job.copy.get("ad_group", "")).strip(), str(job.copy.get("final_url", "")).strip()
    headlines, descriptions = _lines(job.copy.get("headline")), _lines(job.copy.get("description"))  # the catalog's fields
    if not ad_group.isdigit() or not final_url or len(headlines) < 3 or len(descriptions) < 2:
        raise BadInput(f"The Google ad {job.title!r} needs its ad group id (ad_group), a final_url, at least 3 headlines and 2 "
                       "descriptions (one a line) in the post's copy: open the post and fill them in.")
    ids = {}
    if job.media is not None and job.media_kind == "image":
        ids["image_asset"] = steps.run("image_asset", lambda: _create_asset(client, fields, customer, job),
                                       lambda: _find(client, fields, customer, f"SELECT asset.resource_name FROM asset WHERE asset.name = '{job.marker}'",
                                                     lambda row: row.asset.resource_name))
    suffix = f"conext={job.key}"
    ids["ad"] = steps.run("ad", lambda: _create_ad(client, fields, customer, ad_group, final_url, suffix, headlines, descriptions),
                          lambda: _find(client, fields, customer, "SELECT ad_group_ad.resource_name FROM ad_group_ad "
                                        f"WHERE ad_group_ad.ad.final_url_suffix = '{suffix}'", lambda row: row.ad_group_ad.resource_name))
    return ids


def connect(connections) -> tuple[object, dict]:
    """A GoogleAdsClient and the saved fields, from the Connections' keyring and addresses."""
    from studio.core.analytics.connectors import saved_credentials
    from studio.core.analytics.connectors.google import google_client

    fields = saved_credentials("google_ads", connections.secrets)
    with google_publish_errors("signing in to Google Ads", fields):
        return google_client(fields, endpoint=connections.endpoints.get("google"), token_uri=connections.google_token_uri), fields


def check_access(client, fields: dict) -> list[str]:
    """The customers the credentials reach: a cheap call that proves they are accepted."""
    with google_publish_errors("checking the Google Ads sign-in", fields):
        return list(client.get_service("CustomerService").list_accessible_customers().resource_names)


def _lines(text) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _create_asset(client, fields: dict, customer: str, job: PublishJob) -> str:
    operation = client.get_type("AssetOperation")
    operation.create.name = job.marker
    operation.create.type_ = client.enums.AssetTypeEnum.IMAGE
    operation.create.image_asset.data = job.media.read_bytes()
    return _mutate(client, fields, "AssetService", "mutate_assets", customer, operation, f"uploading the image of {job.title!r}")


def _create_ad(client, fields: dict, customer: str, ad_group: str, final_url: str, suffix: str, headlines, descriptions) -> str:
    operation = client.get_type("AdGroupAdOperation")
    ad_group_ad = operation.create
    ad_group_ad.ad_group = client.get_service("AdGroupService").ad_group_path(customer, ad_group)
    ad_group_ad.status = client.enums.AdGroupAdStatusEnum.ENABLED
    ad_group_ad.ad.final_urls.append(final_url)
    ad_group_ad.ad.final_url_suffix = suffix
    for text, target in [(h, ad_group_ad.ad.responsive_search_ad.headlines) for h in headlines] + \
                        [(d, ad_group_ad.ad.responsive_search_ad.descriptions) for d in descriptions]:
        asset = client.get_type("AdTextAsset")
        asset.text = text
        target.append(asset)
    return _mutate(client, fields, "AdGroupAdService", "mutate_ad_group_ads", customer, operation, f"creating the ad in ad group {ad_group}")


def _mutate(client, fields: dict, service_name: str, method: str, customer: str, operation, what: str) -> str:
    """validate_only first (a refusal changes nothing), then for real; the resource name made."""
    service = client.get_service(service_name)
    with google_publish_errors(what, fields):
        getattr(service, method)(request={"customer_id": customer, "operations": [operation], "validate_only": True})
        return getattr(service, method)(request={"customer_id": customer, "operations": [operation]}).results[0].resource_name


def _find(client, fields: dict, customer: str, query: str, pick) -> str | None:
    with google_publish_errors("looking for what an earlier attempt made", fields):
        stream = client.get_service("GoogleAdsService").search_stream(customer_id=customer, query=query)
        return next((pick(row) for batch in stream for row in batch.results), None)


@contextlib.contextmanager
def google_publish_errors(what: str, fields: dict):
    """Google's refusals as PublishErrors: credentials (auth), limits and outages (transient),
    nothing listening (offline), the rest permanent with Google's own message."""
    import google.auth.exceptions
    import grpc
    from google.ads.googleads.errors import GoogleAdsException
    from google.api_core import exceptions as api_errors

    secrets = list(fields.values())
    try:
        yield
    except google.auth.exceptions.TransportError:
        raise PublishError("offline", f"Google could not be reached while {what} (offline).") from None
    except google.auth.exceptions.RefreshError:
        raise PublishError("auth", f"Google did not accept the saved sign-in while {what} (the refresh token has expired or was revoked). "
                                   "Make a new refresh token and save it in Settings ▸ Accounts & keys.") from None
    except GoogleAdsException as exc:
        codes = {getattr(e.error_code, e.error_code._pb.WhichOneof("error_code")).name for e in exc.failure.errors}
        said = redact("; ".join(e.message for e in exc.failure.errors), secrets)
        log.info("Google Ads refused %s: %s (%s)", what, said, ", ".join(sorted(codes)))
        if codes & _AUTH:
            raise PublishError("auth", f"Google Ads did not accept the credentials while {what} ({said}). Check the developer token "
                                       "and the refresh token in Settings ▸ Accounts & keys.") from None
        if codes & _RATE or exc.error.code().name in _TRANSIENT:
            raise PublishError("transient", f"Google Ads could not do it just now while {what} ({said}).") from None
        raise PublishError("permanent", f"Google Ads refused {what}: {said}") from None
    except api_errors.GoogleAPICallError as exc:  # what the SDK raises for an error without Google Ads details (a 5xx)
        detail = redact(exc.message or str(exc), secrets)
        if isinstance(exc, api_errors.ServiceUnavailable):
            raise PublishError("offline", f"Google Ads could not be reached while {what} (offline: {detail}).") from None
        transient = isinstance(exc, (api_errors.ServerError, api_errors.TooManyRequests, api_errors.DeadlineExceeded))
        raise PublishError("transient" if transient else "permanent", f"Google Ads failed {what}: {detail}") from None
    except grpc.RpcError as exc:
        code = exc.code().name if hasattr(exc, "code") else "UNKNOWN"
        detail = redact(str(exc.details() if hasattr(exc, "details") else exc), secrets)
        if code == "UNAVAILABLE":
            raise PublishError("offline", f"Google Ads could not be reached while {what} (offline: {detail}).") from None
        raise PublishError("transient" if code in _TRANSIENT else "permanent", f"Google Ads failed {what}: {detail}") from None
