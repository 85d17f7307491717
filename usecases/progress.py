"""What a proposal's owner should know about where it stands: who has it and what is next."""

from __future__ import annotations

from usecases.choices import Status

# status → (who has it now, what happens next)
PROGRESS = {
    Status.DRAFT: ("You", "Answer every question and submit it when you are ready."),
    Status.SUBMITTED: ("CoE triage", "The CoE or your department's champion checks it is complete and in scope."),
    Status.TRIAGE: ("CoE triage", "Triage decides whether it goes to a full review."),
    Status.IN_REVIEW: ("Reviewers", "Reviewers assess risk, data and feasibility, then decide."),
    Status.CHANGES_REQUESTED: ("You", "Answer the reviewers' request, edit the proposal and resubmit."),
    Status.APPROVED: ("You and your team", "Plan the pilot with the CoE and start it."),
    Status.APPROVED_WITH_CONDITIONS: ("You and your team", "Meet the conditions, then start the pilot."),
    Status.REJECTED: ("Nobody", "Closed. The note in the history explains why."),
    Status.IN_PILOT: ("You and the CoE", "Measure the pilot against the success measure; the CoE decides on production."),
    Status.IN_PRODUCTION: ("You and your team", "Running. Report realised value; it is re-reviewed periodically."),
    Status.RETIRED: ("Nobody", "Retired."),
    Status.WITHDRAWN: ("Nobody", "Withdrawn by its owner."),
}  # fmt: skip

STATUS_BADGE = {
    Status.DRAFT: "",
    Status.SUBMITTED: "primary",
    Status.TRIAGE: "primary",
    Status.IN_REVIEW: "primary",
    Status.CHANGES_REQUESTED: "warning",
    Status.APPROVED: "success",
    Status.APPROVED_WITH_CONDITIONS: "success",
    Status.REJECTED: "danger",
    Status.IN_PILOT: "success",
    Status.IN_PRODUCTION: "success",
    Status.RETIRED: "",
    Status.WITHDRAWN: "",
}


def who_has_it(status: str) -> str:
    return PROGRESS.get(status, ("", ""))[0]


def next_step(status: str) -> str:
    return PROGRESS.get(status, ("", ""))[1]
