import pytest

from facilitation.domain.errors import ValidationError
from facilitation.domain.validation import TextField, as_int, clean, client_id, integer_id

FIELDS = (
    TextField("titre", "Titre", 10, required=True),
    TextField("description", "Description", 50, multiline=True),
)


def test_trims_folds_spaces_and_ignores_unknown_keys():
    assert clean({"titre": "  deux   mots ", "pirate": "x"}, FIELDS) == {
        "titre": "deux mots",
        "description": "",
    }


def test_multiline_keeps_line_breaks_but_drops_control_characters():
    values = clean({"titre": "a", "description": "un\r\ndeux\x00\x07"}, FIELDS)
    assert values["description"] == "un\ndeux"


def test_collects_every_error_in_french():
    with pytest.raises(ValidationError) as info:
        clean({"titre": "", "description": "x" * 51}, FIELDS)
    assert info.value.errors == {
        "titre": "Indiquez « Titre ».",
        "description": "« Description » est trop long : 51 caractères pour 50 au maximum.",
    }


@pytest.mark.parametrize("raw", [["liste"], {"objet": 1}, True])
def test_non_text_values_are_refused(raw):
    with pytest.raises(ValidationError) as info:
        clean({"titre": raw}, FIELDS)
    assert "doit être un texte" in info.value.errors["titre"]


def test_payload_must_be_an_object():
    with pytest.raises(ValidationError):
        clean(["titre"], FIELDS)


@pytest.mark.parametrize("raw", ["abcdefgh", "a" * 64, "0f-_AZ09"])
def test_client_id_accepts_uuid_like_ids(raw):
    assert client_id(raw) == raw


@pytest.mark.parametrize("raw", [None, "", "court", "a" * 65, "espace interdit", 12345678])
def test_client_id_refuses_the_rest(raw):
    with pytest.raises(ValidationError):
        client_id(raw)


@pytest.mark.parametrize(("raw", "expected"), [(3, 3), ("12", 12), (" 7 ", 7)])
def test_integer_id(raw, expected):
    assert integer_id(raw, "atelier_id", "un atelier") == expected


@pytest.mark.parametrize("raw", [None, 0, -1, "x", True, 1.5, 2**63])
def test_integer_id_refuses(raw):
    with pytest.raises(ValidationError):
        integer_id(raw, "atelier_id", "un atelier")


def test_text_loses_what_cannot_be_stored_or_exported() -> None:
    field = TextField("titre", "Titre", 200)
    value, error = field.clean("x \ufffe\uffff\ud800 y\x85\x9f\U0010ffff")
    assert (value, error) == ("x y", None)
    assert value.encode("utf-8")  # storable and encodable


def test_ids_are_ascii_digits_within_integer() -> None:
    assert as_int(" 12 ") == 12 and as_int(12) == 12
    for raw in ("٣", "²", "1.0", True, 1.0, None, "1" * 25):
        assert as_int(raw) is None
    for raw in ("٣", "²", 2**31, "2147483648", 2**63, 0, -1):
        with pytest.raises(ValidationError):
            integer_id(raw, "atelier_id", "un atelier")
