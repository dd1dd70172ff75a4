import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.roles import sync_roles
from countries.models import Country, Region
from plans.models import Edition, EditionState, Heading, Listing, Removal, RemovalReason
from projects.models import (
    DatePrecision,
    Development,
    DevelopmentKind,
    Project,
    Scheme,
    SchemeFamily,
    Sector,
    Status,
    StatusChange,
)


class RegionFactory(DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name_ja = factory.Sequence(lambda n: f"地域{n}")
    name_en = factory.Sequence(lambda n: f"Region {n}")
    order = factory.Sequence(lambda n: n)


class CountryFactory(DjangoModelFactory[Country]):
    class Meta:
        model = Country
        django_get_or_create = ("iso_code",)

    iso_code = factory.Sequence(lambda n: chr(65 + (n // 26) % 26) + chr(65 + n % 26))
    name_ja = factory.Sequence(lambda n: f"国{n}")
    name_en = factory.Sequence(lambda n: f"Country {n}")
    region = factory.SubFactory(RegionFactory)


class SectorFactory(DjangoModelFactory[Sector]):
    class Meta:
        model = Sector
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"sector-{n}")
    name_ja = factory.Sequence(lambda n: f"分野{n}")
    name_en = factory.Sequence(lambda n: f"Sector {n}")
    dac_code = 21030


class SchemeFactory(DjangoModelFactory[Scheme]):
    class Meta:
        model = Scheme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"scheme-{n}")
    family = SchemeFamily.ODA
    name_ja = factory.Sequence(lambda n: f"スキーム{n}")
    name_en = factory.Sequence(lambda n: f"Scheme {n}")


class EditionFactory(DjangoModelFactory[Edition]):
    """A published edition; by default the 2023 one, which ProjectFactory lists projects in."""

    class Meta:
        model = Edition
        django_get_or_create = ("year",)

    year = 2023
    title = factory.LazyAttribute(lambda e: f"国土交通省インフラシステム海外展開行動計画{e.year}")
    state = EditionState.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class HeadingFactory(DjangoModelFactory[Heading]):
    """A heading of an edition (the 2023 one unless given)."""

    class Meta:
        model = Heading
        django_get_or_create = ("edition", "number")

    edition = factory.SubFactory(EditionFactory)
    number = factory.Sequence(lambda n: n % 50 + 1)
    name_ja = factory.Sequence(lambda n: f"グループ{n}")
    name_en = factory.Sequence(lambda n: f"Group {n}")


class ProjectFactory(DjangoModelFactory[Project]):
    """A project with one sector and its initial status change, as `project_create` makes it."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: 1000 + n)
    name = factory.Sequence(lambda n: f"テスト鉄道整備事業{n}")
    name_en = factory.Sequence(lambda n: f"Test Railway Project {n}")
    summary = "テスト用の事業概要"
    country = factory.SubFactory(CountryFactory)
    status = Status.IDENTIFICATION

    # Not fields: the project's listing, under this heading (of its edition; a heading of the
    # 2023 edition by default) with its own number and this new mark. listing_group=None: the
    # project is not listed in any edition.
    listing_group = factory.SubFactory(HeadingFactory)
    is_new = False

    @classmethod
    def _create(cls, model_class, *args, listing_group=None, is_new=False, **kwargs):
        project = super()._create(model_class, *args, **kwargs)
        if listing_group is not None:
            Listing.objects.create(
                edition=listing_group.edition,
                project=project,
                heading=listing_group,
                number=project.number,
                is_new=is_new,
            )
        return project

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create:
            self.sectors.set(extracted if extracted is not None else [SectorFactory()])

    @factory.post_generation
    def schemes(self, create, extracted, **kwargs):
        if create and extracted:
            self.schemes.set(extracted)

    @factory.post_generation
    def initial_status(self, create, extracted, **kwargs):
        if create:
            StatusChange.objects.create(project=self, sequence=1, status=self.status, note="initial")
            self.search_text = self.build_search_text()
            type(self).objects.filter(pk=self.pk).update(search_text=self.search_text)


class DevelopmentFactory(DjangoModelFactory[Development]):
    class Meta:
        model = Development

    project = factory.SubFactory(ProjectFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    kind = DevelopmentKind.OTHER
    text = factory.Sequence(lambda n: f"テストの動き{n}")
    date = None
    date_precision = DatePrecision.NONE
    source = "test"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password("correct-horse-battery-staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """`UserFactory(role=EDITOR)` puts the user in that role's group."""
        if create and extracted:
            sync_roles()
            self.groups.add(Group.objects.get(name=extracted))


class ListingFactory(DjangoModelFactory[Listing]):
    class Meta:
        model = Listing

    edition = factory.SubFactory(EditionFactory)
    project = factory.SubFactory(ProjectFactory, listing_group=None)
    heading = factory.SubFactory(HeadingFactory, edition=factory.SelfAttribute("..edition"))
    number = factory.Sequence(lambda n: n + 1)


class RemovalFactory(DjangoModelFactory[Removal]):
    class Meta:
        model = Removal

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"削除された事業{n}")
    reason = RemovalReason.WON


class WatchFactory(DjangoModelFactory):
    """A user's watch of one target: pass exactly one of project, country, region, sector, scheme."""

    class Meta:
        model = "watches.Watch"

    user = factory.SubFactory(UserFactory)
