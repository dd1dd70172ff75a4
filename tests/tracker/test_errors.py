"""tracker.errors.ApplicationError: an app's refusal, answered by the API as it describes it."""

from tracker.api import exception_handler
from tracker.errors import ApplicationError


class Refused(ApplicationError):
    status = 409
    code = "refused"

    def headers(self):
        return {"X-Reason": "test"}


def test_an_application_error_is_answered_with_its_status_body_and_headers():
    response = exception_handler(Refused("Not now."), {})

    assert response.status_code == 409
    assert response.data == {"detail": "Not now.", "code": "refused"}
    assert response["X-Reason"] == "test"


def test_an_application_error_is_a_400_with_the_error_code_by_default():
    response = exception_handler(ApplicationError("Bad."), {})

    assert response.status_code == 400
    assert response.data == {"detail": "Bad.", "code": "error"}
    assert not response.has_header("X-Reason")
