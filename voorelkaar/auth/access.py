"""Who may see what: the role checks every view uses."""

from collections.abc import Callable
from functools import wraps

from flask_login import current_user, login_required
from sqlalchemy.orm import object_session
from werkzeug.exceptions import Forbidden

from voorelkaar.db import get_session
from voorelkaar.models import Role
from voorelkaar.tenancy import serves


class RoleNeeded(Forbidden):
    """A logged-in person lacks every role a page is for; the 403 page says which."""

    def __init__(self, roles: tuple[Role, ...]):
        super().__init__()
        self.roles = roles


def role_required(*roles: Role) -> Callable:
    """Let a view through only for a logged-in person holding one of roles."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                raise RoleNeeded(roles)
            return view(*args, **kwargs)

        wrapped.roles = roles  # who the page is for, read by the tests that walk every route
        return wrapped

    return decorator


staff_required = role_required(Role.STAFF, Role.ADMIN)
admin_required = role_required(Role.ADMIN)
# The figures (counts only, small numbers hidden): staff, admins and policy officers.
figures_required = role_required(Role.STAFF, Role.ADMIN, Role.POLICY)


# Who works in the back office and sees addresses, notes and other people's cases.
BACK_OFFICE = (Role.STAFF, Role.CONSULTANT, Role.ADMIN)


# Who works for chosen municipalities (voorelkaar.tenancy.served_ids): the back office,
# and policy officers, who see those municipalities' figures and nothing else.
SERVES_MUNICIPALITIES = (*BACK_OFFICE, Role.POLICY)


def serves_municipalities(user) -> bool:
    """Whether an admin says which municipalities this account works for."""
    return user.has_role(*SERVES_MUNICIPALITIES)


def in_back_office(user) -> bool:
    """Staff, Wmo consultants and admins."""
    return user.has_role(*BACK_OFFICE)


def is_staff(user) -> bool:
    """Carer-support staff and admins: they moderate and see what others may not."""
    return user.is_authenticated and user.has_role(Role.STAFF, Role.ADMIN)


def staff_of(user, municipality_id: int | None) -> bool:
    """Staff or admin who work for this municipality (voorelkaar.tenancy): only they handle
    its requests, people and tasks; to the staff of another one, its posts are like anyone's."""
    return is_staff(user) and serves(_session_of(user), user, municipality_id)


def _session_of(user):
    """The session user was loaded in (services run outside a request too), else the request's."""
    return object_session(user) or get_session()


def may_act_on(actor, user) -> bool:
    """The rank rule for acting on another account (block, VOG): staff of the account's
    municipality act on residents, volunteers and organisations; on someone of the back
    office only an admin; on their own account nobody."""
    if not staff_of(actor, user.municipality_id) or user.id == actor.id:
        return False
    return not in_back_office(user) or actor.has_role(Role.ADMIN)
