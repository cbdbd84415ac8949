from django.contrib.auth.models import Group, Permission

from backend import roles
from backend.roles import user_has_role, user_roles
from tests.conftest import make_user


def test_migrations_create_one_group_per_role(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)


def test_administrators_hold_every_permission(db):
    group = Group.objects.get(name=roles.ADMINISTRATOR)
    assert group.permissions.count() == Permission.objects.count()


def test_consumers_hold_no_permission(db):
    assert not Group.objects.get(name=roles.CONSUMER).permissions.exists()


def missing_codenames(role_permissions) -> dict[str, list[str]]:
    """{role: the listed "app.codename" names no permission has}: a misspelt or removed codename grants nothing."""
    existing = {f"{app}.{code}" for app, code in Permission.objects.values_list("content_type__app_label", "codename")}
    missing = {role: sorted(set(names) - existing - {"*"}) for role, names in role_permissions.items()}
    return {role: names for role, names in missing.items() if names}


def test_each_listed_permission_exists_and_reaches_its_group(db):
    assert missing_codenames(roles.ROLE_PERMISSIONS) == {}
    for role, names in roles.ROLE_PERMISSIONS.items():
        if "*" in names:
            continue
        held = {
            f"{app}.{code}"
            for app, code in Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename")
        }
        assert held == set(names)


def test_a_misspelt_codename_is_caught(db):
    misspelt = {
        **roles.ROLE_PERMISSIONS,
        roles.OFFICIAL: (*roles.ROLE_PERMISSIONS[roles.OFFICIAL], "tracing.revoke_stmap"),
    }
    assert missing_codenames(misspelt) == {roles.OFFICIAL: ["tracing.revoke_stmap"]}


def test_user_roles_reads_groups_and_superuser_flag(db):
    official = make_user("o", roles.OFFICIAL)
    superuser = make_user("s", is_superuser=True)
    nobody = make_user("n")
    assert user_roles(official) == {roles.OFFICIAL}
    assert user_has_role(superuser, roles.ADMINISTRATOR)
    assert user_roles(nobody) == set()


def test_signup_makes_a_consumer_and_logs_in(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "lan",
            "email": "lan@example.test",
            "password1": "ha-giang-tea-2026",
            "password2": "ha-giang-tea-2026",
        },
    )
    assert response.status_code == 302
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "lan"
    assert me["roles"] == [roles.CONSUMER]
