import pytest

from voorelkaar.auth import passwords


def test_passwords_are_hashed_with_argon2id_at_safe_strength():
    hasher = passwords.PasswordHasher()
    assert hasher.time_cost >= 2 and hasher.memory_cost >= 19 * 1024
    assert passwords._DUMMY_HASH.startswith("$argon2id$")


def test_a_hash_verifies_only_its_own_password():
    stored = passwords.hash_password("een lange zin als wachtwoord")
    assert passwords.verify_password(stored, "een lange zin als wachtwoord")
    assert not passwords.verify_password(stored, "een andere lange zin")
    assert not passwords.verify_password(None, "een lange zin als wachtwoord")
    assert not passwords.verify_password("geen hash", "een lange zin als wachtwoord")


def test_common_passwords_are_recognised_whatever_their_case():
    assert passwords.is_common("Wachtwoord1234")
    assert passwords.is_common("PASSWORD1234")
    assert not passwords.is_common("fiets paraplu sinaasappel")
    assert len(passwords.common_passwords()) > 10_000


@pytest.mark.parametrize(
    "password",
    ["Password123!", "123456789012", "passwordpassword", "Welkom01welkom", "abcabcabcabc"],
)
def test_the_passwords_an_outside_test_got_accepted_are_refused(password):
    # Issue 13: the list was thin (211 entries of 12+ characters).
    assert passwords.is_common(password)


def test_the_list_holds_at_least_100000_passwords_of_the_policys_length():
    listed = passwords.common_passwords()
    assert len(listed) >= 100_000
    assert all(len(word) >= passwords.MIN_LENGTH for word in listed)


@pytest.mark.parametrize(
    "password",
    ["fiets paraplu sinaasappel", "correct horse battery staple", "Ik wandel graag in Meppel"],
)
def test_passphrases_stay_allowed(password):
    assert not passwords.is_common(password)


def test_a_password_that_is_mostly_ones_email_or_name_is_refused():
    context = ("riek@example.nl", "Riek Jansen", "Meppel voor elkaar", "voorelkaar")
    for personal in ("riek@example.nl", "RiekJansen2026!", "meppelvoorelkaar1", "Riek@Example.nl"):
        assert passwords.is_personal(personal, context), personal
    assert not passwords.is_personal("riek houdt van lange wandelingen", context)
