"""English and Japanese, both complete; the browser's language by default, switchable."""

import re
from http import HTTPStatus

from django.conf import settings

PO_FILE = settings.BASE_DIR / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def po_entries():
    """(msgid, [msgstr, …], flags) for each entry of the Japanese catalogue."""
    text = PO_FILE.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields, current = {}, None
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            translations = [value for key, value in fields.items() if key.startswith("msgstr")]
            yield fields["msgid"], translations, flags


def test_every_string_has_a_japanese_translation():
    entries = list(po_entries())
    assert len(entries) > 100
    missing = [msgid for msgid, translations, _ in entries if not all(translations)]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert missing == []
    assert fuzzy == []


def test_placeholders_survive_translation():
    for msgid, translations, _ in po_entries():
        expected = sorted(re.findall(r"%\(\w+\)[sd]", msgid))
        for translation in translations:
            assert sorted(set(re.findall(r"%\(\w+\)[sd]", translation))) == sorted(set(expected)), (
                msgid
            )


def test_the_browser_language_is_the_default(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ja")
    assert '<html lang="ja">' in response.content.decode()
    assert "ガイド" in response.content.decode()


def test_switching_language_remembers_it(client, db):
    response = client.post("/i18n/setlang/", {"language": "ja", "next": "/guides/"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/guides/"
    page = client.get("/guides/").content.decode()
    assert '<html lang="ja">' in page


def test_switching_language_saves_it_on_the_profile(auth_client, alice):
    auth_client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    alice.profile.refresh_from_db()
    assert alice.profile.language == "ja"


def test_an_unknown_language_changes_nothing(auth_client, alice):
    auth_client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    assert not hasattr(alice, "profile") or alice.profile.language == ""


def test_the_japanese_pages_have_no_english_navigation(auth_client, db):
    page = auth_client.get("/guides/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    for english in (">Dashboard<", ">Guides<", ">Journal<", "not professional"):
        assert english not in page
