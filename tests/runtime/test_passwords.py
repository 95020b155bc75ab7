from runtime.passwords import generate_password, hash_password, verify_password


def test_a_hashed_password_verifies_and_a_wrong_one_does_not() -> None:
    stored = hash_password("商机2026!")
    assert stored.startswith("scrypt$")
    assert "商机2026!" not in stored
    assert verify_password("商机2026!", stored)
    assert not verify_password("商机2026?", stored)


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password("secret") != hash_password("secret")


def test_malformed_or_missing_hashes_never_verify() -> None:
    for stored in (None, "", "plain", "md5$x$y", "scrypt$1$2$3$not-base64!$x"):
        assert not verify_password("secret", stored)


def test_generated_passwords_are_long_and_unambiguous() -> None:
    password = generate_password()
    assert len(password) == 14
    assert not set(password) & set("0O1lI")
