"""Errors the apps raise for the API to answer as they are.

tracker.api.exception_handler answers any ApplicationError with its `status`, `body()` and
`headers()`, so the API layer needs to know no app's exceptions (projects.services.StaleVersion
is one). The body has the API's error shape: {"detail": text, "code": code, ...}.
"""


class ApplicationError(Exception):
    """A refusal with an HTTP status and an error code of its own."""

    status = 400
    code = "error"

    def body(self) -> dict:
        # str(self) is read here, when the answer is made, in the request's language.
        return {"detail": str(self), "code": self.code}

    def headers(self) -> dict[str, str]:
        return {}
