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
