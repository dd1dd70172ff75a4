"""The codes of the reference tables (countries, regions, sectors, schemes, listing groups),
remembered in the cache so that checking a filter's codes costs no query.

A code the cache does not know is looked up in the database before it is refused, so a row
added a moment ago (in another process, with a per-process cache) is never refused. Every
save or delete of a reference row forgets that table's codes (the receivers are connected in
ProjectsConfig.ready()), at once and again when the change commits. With the production
setting, one cache shared by every worker (CACHE_URL=redis://), a renamed code is refused
everywhere from the commit on. With a per-process cache (local memory, the quick start's
default) other processes keep theirs until CODES_TTL: until then the old code matches no project.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

CODES_TTL = 300


def _key(model, field):
    return f"codes:{model._meta.label_lower}:{field}"


def _load(model, field):
    codes = frozenset(model._default_manager.values_list(field, flat=True))
    cache.set(_key(model, field), codes, CODES_TTL)
    return codes


def _match(known, values):
    if all(value in known for value in values):
        return list(values)
    by_case = {str(code).casefold(): code for code in known}
    return [value if value in known else by_case.get(str(value).casefold()) for value in values]


def canonical_codes(model, field, values):
    """Each value as the `field` of the `model` row it names, case ignored (`vn` is `VN`,
    `Rail` is `rail`); None for a value that names no row."""
    known = cache.get(_key(model, field))
    matched = _match(known, values) if known is not None else [None]
    if None in matched:
        matched = _match(_load(model, field), values)
    return matched


def known_codes(model, field):
    """Every `field` of the `model` rows, sorted, for an error message."""
    known = cache.get(_key(model, field))
    return sorted(known if known is not None else _load(model, field))


def forget_codes(sender, **kwargs):
    keys = [_key(sender, field) for field in REFERENCE_MODELS.get(sender, ())]
    if sender._meta.label_lower in ("countries.country", "countries.region"):
        keys.append(PLACES_KEY)
    cache.delete_many(keys)
    # Again once the change is committed: with a shared cache (CACHE_URL=redis://), another
    # worker may have read the old codes and stored them between the save and the commit.
    transaction.on_commit(lambda: cache.delete_many(keys))


REFERENCE_MODELS = {}  # model -> the code fields filters check; filled by connect()


def connect():
    from countries.models import Country, Region
    from projects.models import Scheme, Sector

    REFERENCE_MODELS.update(
        {
            Country: ("iso_code",),
            Region: ("code",),
            Sector: ("code",),
            Scheme: ("code",),
        }
    )
    for model in REFERENCE_MODELS:
        post_save.connect(forget_codes, sender=model, dispatch_uid=f"forget_codes_save_{model.__name__}")
        post_delete.connect(forget_codes, sender=model, dispatch_uid=f"forget_codes_delete_{model.__name__}")


PLACES_KEY = "codes:places"


def countries_named(word: str) -> list[int]:
    """The ids of the countries whose name, or whose region's name, contains `word` (a word
    of projects.text.search_words), in Japanese or English, whatever the width or spacing."""
    from countries.models import Country
    from projects.text import normalize_for_search

    places = cache.get(PLACES_KEY)
    if places is None:
        places = [
            (pk, "\n".join(normalize_for_search(name, keep_spaces=False) for name in names))
            for pk, *names in Country.objects.values_list(
                "pk", "name_ja", "name_en", "region__name_ja", "region__name_en"
            )
        ]
        cache.set(PLACES_KEY, places, CODES_TTL)
    return [pk for pk, names in places if word in names]
