"""What every response carries, and the mounts that are not there."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/django-admin/", "/django-admin/login/"])
def test_the_second_admin_mount_is_gone(client, path):
    """One admin (Wagtail's, behind two factors for staff): no Django admin login
    page to guess passwords on."""
    assert client.get(path).status_code == 404
    assert client.post(path, {"username": "root", "password": "x"}).status_code == 404
