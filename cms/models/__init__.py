from .pages import ContentPage, HomePage, WorkingGroupIndexPage

__all__ = ["ContentPage", "HomePage", "WorkingGroupIndexPage"]
