"""API clients: with a token, as API users do, or logged in as a user of a role."""

from rest_framework.test import APIClient

from tokens.models import APIToken


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def user_token_client(user) -> APIClient:
    """A client with a new token of `user`."""
    _token, key = APIToken.objects.issue(user=user, name="test")
    return token_client(key)


def client_for(role) -> APIClient:
    """A client logged in (a session) as a new user in `role`."""
    from tests.factories import UserFactory

    client = APIClient()
    client.force_login(UserFactory(role=role))
    return client
