"""The read models a process keeps, and where each one's view lives."""

from __future__ import annotations

import logging
from typing import Any

from events.application import Bekymring, data_dir_of, uses_postgres
from events.storage.private_files import private_dir
from events.storage.sqlite_store import ReadModelDatastore, RebuildDatastore
from projections.access_log import AccessLogProjection
from projections.binder import BinderProjection
from projections.case_bank import CaseBankProjection
from projections.collaborations import CollaborationProjection
from projections.concerns import ConcernProjection
from projections.directory import DirectoryProjection
from projections.ledger import LedgerProjection
from projections.meetings import MeetingProjection
from projections.programme import ProgrammeProjection
from projections.notifications import NotificationProjection
from projections.referrals import ReferralProjection
from projections.retention import RetentionProjection
from projections.series import SeriesProjection
from projections.transfers import TransferProjection
from projections.wheel import WheelProjection

log = logging.getLogger(__name__)

PROJECTIONS = (
    DirectoryProjection,
    ConcernProjection,
    ReferralProjection,
    AccessLogProjection,
    BinderProjection,
    TransferProjection,
    CollaborationProjection,
    CaseBankProjection,
    NotificationProjection,
    MeetingProjection,
    SeriesProjection,
    WheelProjection,
    ProgrammeProjection,
    RetentionProjection,
    LedgerProjection,
)


def construct_view(projection_class: type, app: Bekymring, rebuilding: bool = False) -> Any:
    """The read model's view on the app's store (on SQLite, a file of its own).
    `rebuilding`: SQLite connections tuned for building from zero (see RebuildDatastore).
    A view another version of the read model built is dropped first: its tables or
    rules have changed, so it follows the store from event 1 again."""
    view = _open_view(projection_class, app, rebuilding)
    with view.versioning():
        if view.built_by_another_version():
            log.warning("read model %s was built by another version: dropped, it is built again from event 1 "
                        "(`intranet projections rebuild %s` does it faster, with the server stopped)",
                        projection_class.name, projection_class.name)
            view.drop()
            fresh = _open_view(projection_class, app, rebuilding)  # the recorder remembers the tables it found
            fresh.record_version()
        else:
            view.record_version()
            return view
    close_own(view, app)
    return fresh


def _open_view(projection_class: type, app: Bekymring, rebuilding: bool) -> Any:
    sqlite_view, postgres_view = projection_class.views
    if uses_postgres(app.env):
        view = postgres_view(datastore=app.factory.datastore)
    else:
        views_dir = data_dir_of(app.env) / "views"
        private_dir(views_dir)
        datastore_class = RebuildDatastore if rebuilding else ReadModelDatastore
        datastore = datastore_class(str(views_dir / f"{projection_class.name}.sqlite"))
        view = sqlite_view(datastore=datastore)
    view.create_table()
    return view



def close_own(view: Any, app: Bekymring) -> None:
    """Close a view's connections if it has its own (a SQLite file), not the app's."""
    if view.datastore is not app.factory.datastore:
        view.datastore.close()

