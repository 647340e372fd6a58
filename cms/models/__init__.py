from .decisions import ChairApprovalTask, DecisionIndexPage, DecisionPage
from .pages import ContentPage, HomePage, WorkingGroupIndexPage

__all__ = [
    "ContentPage",
    "HomePage",
    "WorkingGroupIndexPage",
    "ChairApprovalTask",
    "DecisionIndexPage",
    "DecisionPage",
]
