"""Satisfaction survey answers (seed 004, appendix 12): one item per parent and service instance.

``survey-answers`` — :class:`SurveyAnswer`, keyed by ``<service>:<instance>#<parent IIN>``
(``chalicelib/domain/survey.py: answer_id``): the key itself is the rule "one answer per parent
per service", kept by the put's ``attribute_not_exists`` condition.

An answer is one transaction (:class:`chalicelib.store.history.Change`): the item, its history
record (subject ``survey``, not published to anyone) and — added by ``Change.commit_once`` — the
report counters of the application's district. A refused answer (already given) writes nothing.
The pending services of an application are found with one ``BatchGetItem`` of the candidate keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.domain.survey import ANSWERED, DISMISSED, SUBJECT, Answer, ServiceKind, answer_id
from chalicelib.store.base import table_meta
from chalicelib.store.history import Change, ChangeRefused, commit_writes, history_record

ITEM_LABEL = "survey.answer"


class SurveyAnswer(Model):
    """One parent's answer (or dismissal) for one service instance."""

    Meta = table_meta("survey-answers")

    id = UnicodeAttribute(hash_key=True)  # "<service>:<instance>#<parent IIN>"
    service = UnicodeAttribute()  # registration | direction | contract
    instance = UnicodeAttribute()  # the application, direction or contract number
    application_id = UnicodeAttribute()
    parent_iin = UnicodeAttribute()
    region = UnicodeAttribute()  # the application's: the report counts it there
    district = UnicodeAttribute()
    answered_at = UTCDateTimeAttribute()
    result = UnicodeAttribute(null=True)  # question 1's level (none when dismissed)
    information = UnicodeAttribute(null=True)  # question 2's level
    dismissed = BooleanAttribute(default=False)


class AlreadyAnswered(Exception):
    """This parent already answered (or dismissed) the survey of this service."""


class SurveyStore:
    def answered(self, ids: Iterable[str]) -> dict[str, SurveyAnswer]:
        """The answers among ``ids`` (one batch read)."""
        keys = sorted(set(ids))
        return {item.id: item for item in SurveyAnswer.batch_get(keys, consistent_read=True)} if keys else {}

    def record(
        self,
        *,
        service: ServiceKind,
        instance: str,
        application_id: str,
        parent_iin: str,
        region: str,
        district: str,
        answer: Answer,
        now: datetime,
    ) -> SurveyAnswer:
        """Keep the answer with its history record and counters in one transaction (once per parent)."""
        item = SurveyAnswer(
            answer_id(service, instance, parent_iin),
            service=service.value,
            instance=instance,
            application_id=application_id,
            parent_iin=parent_iin,
            region=region,
            district=district,
            answered_at=now,
            result=answer.result.value if answer.result else None,
            information=answer.information.value if answer.information else None,
            dismissed=answer.dismissed,
        )

        def writes(change: Change) -> None:
            change.put(ITEM_LABEL, item, SurveyAnswer.id.does_not_exist())
            change.record(
                history_record(
                    subject_type=SUBJECT,
                    subject_id=item.id,
                    ordinal=0,
                    at=now,
                    who=f"parent:{parent_iin}",
                    event=DISMISSED if answer.dismissed else ANSWERED,
                    details={
                        "service": service.value,
                        "instance": instance,
                        "application": application_id,
                        "result": item.result,
                        "information": item.information,
                    },
                    publish=False,
                )
            )

        try:
            commit_writes(writes)
        except ChangeRefused as refused:
            if ITEM_LABEL in refused.failed or "history" in refused.failed:
                raise AlreadyAnswered(item.id) from refused
            raise
        return item
