"""API clients that authenticate with a token, as API users do."""

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
