from django.contrib.auth.models import Group, User
from django.db import transaction

from backend.roles import ROLES


@transaction.atomic
def user_create(*, username: str, email: str, password: str | None, role: str, **extra) -> User:
    """Create a user holding one role. Raises ValueError for an unknown role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    user = User(username=username, email=email, **extra)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=role))
    return user
