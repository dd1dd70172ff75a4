"""The project admin's pages, as the tests reach them."""

from django.urls import reverse

CHANGELIST = reverse("admin:projects_project_changelist")


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


def numbers(response):
    return [project.number for project in response.context["cl"].result_list]
