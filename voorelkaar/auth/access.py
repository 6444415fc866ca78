"""Who may see what: the role checks every view uses."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from voorelkaar.models import Role


def role_required(*roles: Role) -> Callable:
    """Let a view through only for a logged-in person holding one of roles."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(Role.STAFF, Role.ADMIN)
admin_required = role_required(Role.ADMIN)


def is_staff(user) -> bool:
    """Carer-support staff and admins: they moderate and see what others may not."""
    return user.is_authenticated and user.has_role(Role.STAFF, Role.ADMIN)
