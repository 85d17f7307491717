from __future__ import annotations

from coe_portal.roles import Role, has_role


def portal(request) -> dict:
    """What the base layout needs to draw the navigation for the person's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "roles": {
            "admin": has_role(user, Role.COE_ADMIN),
            "reviewer": has_role(user, Role.COE_REVIEWER, Role.COE_ADMIN),
            "champion": has_role(user, Role.CHAMPION),
            "leadership": has_role(user, Role.LEADERSHIP),
        }
    }
