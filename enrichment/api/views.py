"""The enrichment endpoints (/api/v1/enrichment/): each work's enrichment state, the queue, one
request with its proposal, and the review page's actions (trigger, approve, dismiss). Thin: they
read their input strictly and call the services the admin calls (enrichment.review,
enrichment.bulk_operations), with the admin's permissions."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import QuerySet
from django.utils.http import quote_etag
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookstore.api import (
    BAD_INPUT,
    FORBIDDEN,
    NOT_AUTHENTICATED,
    Conflict,
    TakesJsonBody,
    TakesNoQueryParameters,
    allowed_by,
    error_response,
    has_permissions,
    id_list,
    location_header,
    read_query,
)
from bookstore.api_auth import TokenHeldUntilDone
from bookstore.api_pagination import NewestFirst
from bookstore.api_preconditions import (
    EtagOfAnswer,
    HasNoEtag,
    refuse_met_if_none_match,
    refuse_unmet_if_match,
    unchanged_for,
)
from enrichment import bulk_operations, review
from enrichment.api import selectors, services
from enrichment.api.input_serializers import (
    ApproveSerializer,
    DismissSerializer,
    QueueQuerySerializer,
    StatusQuerySerializer,
    TriggerAllSerializer,
    TriggerSerializer,
    most_work_ids,
)
from enrichment.api.serializers import (
    ApproveResultSerializer,
    BulkOperationSerializer,
    DismissResultSerializer,
    QueueRowSerializer,
    RequestDetailSerializer,
    TriggerAllResultSerializer,
    TriggerResultSerializer,
    WorksEnrichmentStatusSerializer,
    changes_as_held,
)
from enrichment.models import BulkOperation, EnrichmentRequest
from enrichment.permissions import REVIEW_PERMISSION, user_can_view_bulk_operations
from enrichment.presenters import request_image_holder, request_live_values

#: The admin's permissions: its view permissions to read, "review" to act.
CAN_VIEW_WORKS = has_permissions("catalog.view_work")
CAN_VIEW_REQUESTS = has_permissions("enrichment.view_enrichmentrequest")
CAN_REVIEW = has_permissions(REVIEW_PERMISSION)
# The admin's rule: reviewers may follow the operations they start (trigger-all's Location).
CAN_VIEW_OPERATIONS = allowed_by(user_can_view_bulk_operations)

NO_REQUEST = error_response(_("No enrichment request has this id."))
NOT_AWAITING_REVIEW = error_response(
    _("The request is no longer awaiting review (the error says why); nothing changed.")
)
CHANGED_SINCE_READ = error_response(
    _(
        "If-Match names no current ETag of the request (`GET {id}` gives it): it changed since "
        "it was read; or If-None-Match names the current one (or is *); nothing changed."
    )
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=_(
        "The request's ETag as `GET {id}` gave it: the decision is taken only if nothing of the "
        "request, its proposal or what its fields hold in the catalog changed since (else 412)."
    ),
)
APPROVE_REFUSED = error_response(
    _(
        "The request is no longer awaiting review, or it is of low confidence and no fields "
        "were named (the error says why); nothing changed."
    )
)


def _request_or_404(requests: QuerySet[EnrichmentRequest], pk: int) -> EnrichmentRequest:
    request = requests.filter(pk=pk).first()
    if request is None:
        raise exceptions.NotFound(gettext("No enrichment request has the id %(id)s.") % {"id": pk})
    return request


@contextmanager
def _request_as_read(
    request: Request, requests: QuerySet[EnrichmentRequest], pk: int
) -> Iterator[EnrichmentRequest]:
    """The enrichment request a decision acts on: with an If-Match (or If-None-Match), it and
    the catalog rows its ETag covers (its work and its editions, or its author) locked until
    the decision is taken, once its ETag is the one named (412 otherwise; or, If-None-Match,
    not named), so that no other decision nor edit slips between the check and the write. The
    request's lock alone let a write to its work, committed after the check, be replaced unseen
    by the decision (PostgreSQL; SQLite's writers take turns)."""
    if "HTTP_IF_MATCH" not in request.META and "HTTP_IF_NONE_MATCH" not in request.META:
        yield _request_or_404(requests, pk)
        return
    with transaction.atomic():
        enrichment_request = _request_or_404(requests.select_for_update(of=("self",)), pk)
        services.request_lock_etag_rows(enrichment_request)
        etag = selectors.request_etag(enrichment_request)
        refuse_unmet_if_match(request, etag)
        refuse_met_if_none_match(request, etag)
        yield enrichment_request


class EnrichmentStatus(EtagOfAnswer, APIView):
    permission_classes = [CAN_VIEW_WORKS]

    @extend_schema(
        operation_id="enrichment_status",
        summary=_("The enrichment state of each of these works"),
        description=_(
            "In the order asked; ids no work has are listed in `missing` (not an error). "
            "A fixed number of queries whatever the number of ids."
        ),
        parameters=[
            OpenApiParameter(
                "work_ids",
                str,
                required=True,
                description=_("Comma-separated work ids: 1,2,3 (at most API_MAX_WORK_IDS)."),
            )
        ],
        responses={
            200: WorksEnrichmentStatusSerializer,
            400: BAD_INPUT,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        query = read_query(request, StatusQuerySerializer)
        work_ids = id_list(
            query.get("work_ids"),
            name="work_ids",
            maximum=most_work_ids(),
        )
        works, missing = selectors.works_enrichment_state(work_ids)
        return Response(WorksEnrichmentStatusSerializer({"works": works, "missing": missing}).data)


class EnrichmentQueue(EtagOfAnswer, generics.ListAPIView):
    permission_classes = [CAN_VIEW_REQUESTS]
    serializer_class = QueueRowSerializer
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="enrichment_queue",
        summary=_("Enrichment requests (works' and authors'), newest first"),
        description=_(
            "Every request, superseded ones included. Pages follow `next` (a cursor: a request "
            "queued meanwhile never repeats or shifts a row on the next page)."
        ),
        parameters=[QueueQuerySerializer],
        responses={
            200: QueueRowSerializer(many=True),
            400: BAD_INPUT,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[EnrichmentRequest]:
        query = read_query(self.request, QueueQuerySerializer, paginator=self.paginator)
        return selectors.queue_requests(**query)


class EnrichmentRequestDetail(TakesNoQueryParameters, APIView):
    permission_classes = [CAN_VIEW_REQUESTS]

    @extend_schema(
        operation_id="enrichment_request",
        summary=_("One request: its proposal, field by field, and how the match was found"),
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                str,
                location=OpenApiParameter.HEADER,
                required=False,
                description=_("An ETag read before: 304, no body, while it is still the one."),
            )
        ],
        responses={
            200: RequestDetailSerializer,
            304: OpenApiResponse(description=_("Unchanged since the ETag If-None-Match names.")),
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NO_REQUEST,
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        requests = EnrichmentRequest.objects.select_related(
            "work", "author", "reviewed_by"
        ).prefetch_related("work__editions", "work__credits__author")
        enrichment_request = _request_or_404(requests, pk)
        work = enrichment_request.work
        context = {
            "request": request,  # for absolute links
            "live_values": request_live_values(enrichment_request),
            "credits": [credit.author.name for credit in work.credits.all()] if work else [],
            "current_image": request_image_holder(enrichment_request),
        }
        etag = selectors.request_etag(enrichment_request)
        refuse_unmet_if_match(request, etag)  # RFC 9110: on a read too, before If-None-Match
        headers = {"ETag": quote_etag(etag)}
        if unchanged_for(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        data = RequestDetailSerializer(enrichment_request, context=context).data
        return Response(data, headers=headers)


class EnrichmentTrigger(HasNoEtag, TakesJsonBody, TakesNoQueryParameters, APIView):
    permission_classes = [CAN_REVIEW]

    @extend_schema(
        operation_id="enrichment_trigger",
        summary=_("Enrich these works"),
        description=_(
            "Queues those that lack a cover or metadata and have no active request, nor a "
            "proposal waiting for review; says how many already had an active request, and why "
            "any other was not queued. An unknown id: 400 naming "
            "it, and nothing is queued."
        ),
        request=TriggerSerializer,
        responses={
            202: TriggerResultSerializer,
            400: BAD_INPUT,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
        },
    )
    def post(self, request: Request) -> Response:
        body = TriggerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = services.works_trigger(work_ids=body.validated_data["work_ids"])
        return Response(TriggerResultSerializer(outcome).data, status=status.HTTP_202_ACCEPTED)


class EnrichmentTriggerAll(HasNoEtag, TakesJsonBody, TakesNoQueryParameters, APIView):
    permission_classes = [CAN_REVIEW]

    @extend_schema(
        operation_id="enrichment_trigger_all",
        summary=_("Enrich every work that lacks a cover or metadata"),
        description=_(
            'The works `enrich_missing` queues (the admin\'s "Enrich all missing"; synthetic '
            "works wait for the backfill's retry). Up to 200 are queued before the answer; "
            "more are queued by a worker: follow `operation.url` (also the Location header)."
        ),
        request=TriggerAllSerializer,
        responses={
            202: TriggerAllResultSerializer,
            400: BAD_INPUT,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
        },
    )
    def post(self, request: Request) -> Response:
        body = TriggerAllSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = bulk_operations.works_enrich_missing(
            actor=request.user, trigger=EnrichmentRequest.Trigger.API, **body.validated_data
        )
        result = outcome.result
        data = TriggerAllResultSerializer(
            {
                "selected": outcome.selected,
                "queued": result.changed if result else None,
                "already_active": result.reasons[review.ALREADY_QUEUED] if result else None,
                "waiting_for_review": result.reasons[review.WAITING_FOR_REVIEW] if result else None,
                "operation": outcome.operation,
            },
            context={"request": request},
        ).data
        headers = location_header(data["operation"]["url"]) if outcome.operation else {}
        return Response(data, status=status.HTTP_202_ACCEPTED, headers=headers)


class BulkOperationDetail(EtagOfAnswer, TakesNoQueryParameters, APIView):
    permission_classes = [CAN_VIEW_OPERATIONS]

    @extend_schema(
        operation_id="enrichment_operation",
        summary=_("A bulk operation's progress (trigger-all beyond 200 works)"),
        responses={
            200: BulkOperationSerializer,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: error_response(_("No bulk operation has this id.")),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        operation = BulkOperation.objects.defer("object_ids").filter(pk=pk).first()
        if operation is None:
            raise exceptions.NotFound(gettext("No bulk operation has the id %(id)s.") % {"id": pk})
        return Response(BulkOperationSerializer(operation, context={"request": request}).data)


class EnrichmentRequestApprove(TokenHeldUntilDone, TakesJsonBody, TakesNoQueryParameters, APIView):
    permission_classes = [CAN_REVIEW]

    @extend_schema(
        operation_id="enrichment_approve",
        summary=_("Approve a request's proposal (the review page's Approve)"),
        description=_(
            "Without `fields`: the safe proposal, refused (409, nothing applied) on a "
            "low-confidence request, whose record may be another book's: name the fields checked "
            "against it, as the review page asks. With them: exactly those fields, replacing "
            "what the catalog holds; a completed request's fields not applied yet may still be "
            "chosen, as on the review page. Audited with this user as the actor."
        ),
        parameters=[IF_MATCH],
        request=ApproveSerializer,
        responses={
            200: ApproveResultSerializer,
            400: BAD_INPUT,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NO_REQUEST,
            409: APPROVE_REFUSED,
            412: CHANGED_SINCE_READ,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        requests = EnrichmentRequest.objects.select_related("work", "author")
        with _request_as_read(request, requests, pk) as enrichment_request:
            body = ApproveSerializer(
                data=request.data, context={"enrichment_request": enrichment_request}
            )
            body.is_valid(raise_exception=True)
            try:
                result = review.request_approve(
                    request=enrichment_request,
                    actor=request.user,
                    fields=body.validated_data.get("fields"),
                )
            except review.ReviewError as error:
                raise Conflict(str(error)) from None
        if result.already_done:
            raise Conflict(gettext("It was already approved: nothing is left to apply."))
        enrichment_request.refresh_from_db(fields=["status"])
        data = {
            "id": enrichment_request.pk,
            "status": enrichment_request.status,
            "applied": changes_as_held(result.applied),
            "refused": result.refused,
            "cover_download_queued": result.cover == "queued",
        }
        return Response(ApproveResultSerializer(data).data)


class EnrichmentRequestDismiss(TokenHeldUntilDone, TakesJsonBody, TakesNoQueryParameters, APIView):
    permission_classes = [CAN_REVIEW]

    @extend_schema(
        operation_id="enrichment_dismiss",
        summary=_("Dismiss a request's proposal (the review page's Dismiss)"),
        description=_("The catalog keeps what it holds. Audited with this user as the actor."),
        parameters=[IF_MATCH],
        request=DismissSerializer,
        responses={
            200: DismissResultSerializer,
            400: BAD_INPUT,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NO_REQUEST,
            409: NOT_AWAITING_REVIEW,
            412: CHANGED_SINCE_READ,
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        requests = EnrichmentRequest.objects.select_related("work", "author")
        with _request_as_read(request, requests, pk) as enrichment_request:
            body = DismissSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            try:
                result = review.request_dismiss(
                    request=enrichment_request,
                    actor=request.user,
                    reason=body.validated_data["reason"],
                )
            except review.ReviewError as error:
                raise Conflict(str(error)) from None
        if not result.dismissed:
            raise Conflict(gettext("It was already dismissed."))
        enrichment_request.refresh_from_db(fields=["status", "review_note"])
        return Response(DismissResultSerializer(enrichment_request).data)
