"""The council's nominations of day-care providers' non-payment weeks (non-payment-weeks/):
two weeks of a financial year on which a provider's Day Care lines are neither registered nor
paid. A later file replaces a nomination, except where a week it changes is already locked."""

from __future__ import annotations

import logging
from datetime import date

from carepay.domain.non_payment_weeks import NonPaymentWeeks, read_nominations, replaced
from carepay.domain.weeks import financial_year_label
from carepay.ports.files import Documents, FileArrived
from carepay.ports.stores import NonPaymentWeekStore
from carepay.services.care_packages import (
    IMPORT_REPORTS,
    import_arrival,
    rejected_rows,
    write_report,
)
from carepay.services.results import NonPaymentWeeksReport
from carepay.spreadsheets.schemas import NON_PAYMENT_WEEKS

NON_PAYMENT_WEEKS_FOLDER = "non-payment-weeks/"
logger = logging.getLogger(__name__)


def non_payment_weeks_report_key(inbound_key: str) -> str:
    name = inbound_key.removeprefix(NON_PAYMENT_WEEKS_FOLDER)
    return f"{IMPORT_REPORTS}{name.rsplit('.', 1)[0]}.non-payment-weeks.json"


class NonPaymentWeeksImportService:
    def __init__(self, store: NonPaymentWeekStore, documents: Documents) -> None:
        self.store = store
        self.documents = documents

    def handle(self, arrival: FileArrived) -> NonPaymentWeeksReport:
        received, read = import_arrival(
            self.documents, arrival, NON_PAYMENT_WEEKS_FOLDER, NON_PAYMENT_WEEKS, read_nominations
        )
        if isinstance(read, str):
            report = NonPaymentWeeksReport(**received, file_rejected=True, message=read)
            write_report(self.documents, non_payment_weeks_report_key(arrival.key), report)
            return report
        table, nominations = read
        providers = sorted({provider_ref for provider_ref, _ in nominations.nominated})
        current = NonPaymentWeeks(
            {
                (provider_ref, year): weeks
                for provider_ref in providers
                for year, weeks in self.store.non_payment_weeks(provider_ref).items()
            }
        )
        locked = {ref: self._locked_weeks(ref, current, nominations.nominated) for ref in providers}
        accepted, refused = replaced(current, nominations.nominated, locked)
        self.store.save_non_payment_weeks(accepted, arrival.arrival_id)  # keyed: redelivery-safe
        report = NonPaymentWeeksReport(
            **received,
            imported=len(accepted),
            rejected=len(nominations.rejected) + len(refused),
            warnings=[f.message for f in table.findings],
            rejected_rows=rejected_rows(nominations.rejected),
            nominations={
                f"{ref} {financial_year_label(year)}": list(weeks)
                for (ref, year), weeks in sorted(accepted.items())
            },
            refused=refused,
        )
        write_report(self.documents, non_payment_weeks_report_key(arrival.key), report)
        logger.info(
            "non-payment weeks imported",
            extra={"imported": report.imported, "rejected": report.rejected},
        )
        return report

    def _locked_weeks(
        self,
        provider_ref: str,
        current: NonPaymentWeeks,
        nominated: dict[tuple[str, int], tuple[date, date]],
    ) -> set[date]:
        """The weeks a nomination would change in which a Day Care line is already submitted
        (confirmed) or paid."""
        changing = sorted(
            week
            for (ref, year), weeks in nominated.items()
            if ref == provider_ref
            for week in set(weeks) ^ set(current.weeks_of(ref, year))
        )
        if not changing:
            return set()
        day_care = self.store.provider_plan(provider_ref).day_care_line_refs
        stored = self.store.stored_line_weeks(provider_ref, changing[0], changing[-1])
        return {
            week
            for (line_ref, week), state in stored.items()
            if line_ref in day_care and week in changing and (state.paid or state.confirmed)
        }
