from datetime import UTC, date, datetime

import pytest
from faker import Faker

from seeding.fakes import HANGZHOU_STREETS, ZJ_REGIONS, ZhejiangProvider
from services import clock, identity
from services.identity import (
    CREDIT_ALPHABET,
    MESSAGES,
    IdentityError,
    credit_code_check_char,
    id_number_birth_date,
    id_number_check_char,
    id_number_gender,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)

SAMPLES = 500


def make_fake(seed: int) -> Faker:
    fake = Faker("zh_CN")
    fake.add_provider(ZhejiangProvider)
    fake.seed_instance(seed)
    return fake


@pytest.fixture
def fake() -> Faker:
    return make_fake(20240601)


def mod11_2_ok(number: str) -> bool:
    # ISO 7064 MOD 11-2 from its definition (weights 2^(17-i) mod 11, X = 10,
    # valid when the full weighted sum is 1 mod 11), not from the lookup table.
    values = [10 if char == "X" else int(char) for char in number]
    return sum(v * pow(2, 17 - i, 11) for i, v in enumerate(values)) % 11 == 1


def mod31_check(first17: str) -> str:
    # GB 32100 weights are 3^i mod 31; derive them instead of copying the table.
    total = sum(CREDIT_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def org_code_ok(org_code: str) -> bool:
    # GB 11714: the 8 weighted characters plus the check value (X = 10) are 0 mod 11.
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    total = sum(digits.index(c) * w for c, w in zip(org_code[:8], (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    return (total + (10 if org_code[8] == "X" else int(org_code[8]))) % 11 == 0


def error_of(func, value, **kwargs) -> str:
    with pytest.raises(IdentityError) as info:
        func(value, **kwargs)
    assert info.value.message in MESSAGES
    assert str(info.value) == info.value.message
    return info.value.message


def with_id_check(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def with_credit_check(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


# --- resident ID -------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        # 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 % 11 = 2 -> "X"
        "11010519491231002X",
        # 21+27+0+5+0+24+2+9+54+0+0+27+0+35+8+8+6 = 226; 226 % 11 = 6 -> "6"
        "330106199003071236",
        # same body with 17th digit 2: 226 - 2 = 224; 224 % 11 = 4 -> "8"
        "330106199003071228",
        # 29 February of a leap year
        with_id_check("33010620000229001"),
    ],
)
def test_valid_id_numbers(number):
    assert mod11_2_ok(number)
    assert validate_id_number(number) == number


def test_id_number_is_normalised():
    assert validate_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    # Full-width characters as typed with a Chinese input method.
    assert validate_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


def test_id_number_birth_date_and_gender():
    assert id_number_birth_date("11010519491231002X") == date(1949, 12, 31)
    assert id_number_gender("11010519491231002X") == "female"
    assert id_number_birth_date("330106199003071236") == date(1990, 3, 7)
    assert id_number_gender("330106199003071236") == "male"
    assert id_number_gender("330106199003071228") == "female"


def test_id_helpers_validate_first():
    assert error_of(id_number_gender, "110105194912310021") == identity.ID_CHECK_DIGIT
    assert error_of(id_number_birth_date, "123") == identity.ID_LENGTH


def test_id_wrong_check_digit():
    assert error_of(validate_id_number, "110105194912310021") == identity.ID_CHECK_DIGIT
    assert error_of(validate_id_number, "330106199003071237") == identity.ID_CHECK_DIGIT


@pytest.mark.parametrize(
    "first17",
    [
        "33010619900230123",  # 30 February
        "33010619000229123",  # 1900 was not a leap year
        "33010619901301123",  # month 13
        "33010619900100123",  # day 0
    ],
)
def test_id_impossible_birth_date(first17):
    assert error_of(validate_id_number, with_id_check(first17)) == identity.ID_BIRTH_DATE


@pytest.fixture
def frozen_clock():
    previous = clock.current_clock()
    frozen = clock.FrozenClock(datetime(2023, 12, 31, 16, 0, tzinfo=UTC))  # 2024-01-01 00:00 in China
    clock.use_clock(frozen)
    yield frozen
    clock.use_clock(previous)


def test_id_future_birth_date(frozen_clock):
    newborn = with_id_check("33010620240101123")
    assert validate_id_number(newborn) == newborn
    unborn = with_id_check("33010620240102123")
    assert error_of(validate_id_number, unborn) == identity.ID_BIRTH_FUTURE


def test_generated_ages_follow_the_application_clock(frozen_clock):
    fake = make_fake(1)
    born = id_number_birth_date(fake.zj_id_number(min_age=0, max_age=0))
    assert date(2023, 1, 2) <= born <= date(2024, 1, 1)


def test_id_future_birth_date_on_the_live_clock():
    tomorrow = date.fromordinal(clock.china_today().toordinal() + 1)
    unborn = with_id_check(f"330106{tomorrow:%Y%m%d}123")
    assert error_of(validate_id_number, unborn) == identity.ID_BIRTH_FUTURE


def test_id_birth_date_before_1900():
    # Classic textbook number with a correct check digit:
    # 28+36+0+25+16+16+2+8+48+0+0+9+0+5+0+0+2 = 195; 195 % 11 = 8 -> "4"
    assert mod11_2_ok("440524188001010014")
    assert error_of(validate_id_number, "440524188001010014") == identity.ID_BIRTH_TOO_EARLY
    assert validate_id_number(with_id_check("33010619000101123"))


@pytest.mark.parametrize(
    "number",
    ["", "   ", "1101051949123100", "11010519491231002X1", "110105491231002"],
)
def test_id_wrong_length_or_missing(number):
    expected = identity.ID_REQUIRED if not number.strip() else identity.ID_LENGTH
    assert error_of(validate_id_number, number) == expected


@pytest.mark.parametrize(
    "number",
    ["11010519491231A02X", "X10105194912310021", "11010519491231002Y", "1101051949-231002X"],
)
def test_id_letters_and_symbols(number):
    assert error_of(validate_id_number, number) == identity.ID_FORMAT


@pytest.mark.parametrize("prefix", ["10", "16", "20", "39", "72", "84", "99"])
def test_id_unknown_province(prefix):
    number = with_id_check(prefix + "010619900307123")
    assert error_of(validate_id_number, number) == identity.ID_REGION


def test_id_check_char_rejects_bad_input():
    with pytest.raises(ValueError):
        id_number_check_char("1101051949123100")
    with pytest.raises(ValueError):
        id_number_check_char("1101051949123100X")


# --- unified social credit code -------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        # Example from GB 32100-2015. Values 9,1,3,5,0,1,0,0,M=21,0,0,0,1,0,0,Y=30,4:
        # 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640;
        # 1640 % 31 = 28; 31 - 28 = 3 -> "3"
        "91350100M000100Y43",
        # 9+3+27+81+0+0+0+0+140+29+50+65+64+48+80+0+0 = 596;
        # 596 % 31 = 7; 31 - 7 = 24 -> "Q"
        "91330000712582800Q",
        # 9+3+27+81+0+26+0+102+420+290+50+91+232+696+290+870+812 = 3999 = 31 * 129;
        # 31 - 0 = 31, which maps to 0
        "91330106MA27XXXXX0",
    ],
)
def test_valid_credit_codes(code):
    assert mod31_check(code[:17]) == code[17]
    assert credit_code_check_char(code[:17]) == code[17]
    assert validate_credit_code(code) == code


def test_credit_code_is_normalised():
    assert validate_credit_code(" 91330106ma27xxxxx0\n") == "91330106MA27XXXXX0"
    assert validate_credit_code("９１３３０１０６ＭＡ２７ＸＸＸＸＸ０") == "91330106MA27XXXXX0"


def test_credit_code_wrong_check_char():
    assert error_of(validate_credit_code, "913300007125828000") == identity.CREDIT_CHECK_CHAR
    assert error_of(validate_credit_code, "91350100M000100Y44") == identity.CREDIT_CHECK_CHAR


@pytest.mark.parametrize("letter", list("IOZSV"))
@pytest.mark.parametrize("position", [9, 17])
def test_credit_code_forbidden_letters(letter, position):
    code = "91330106MA27XXXXX0"
    bad = code[:position] + letter + code[position + 1 :]
    assert error_of(validate_credit_code, bad) == identity.CREDIT_CHARACTERS


def test_credit_code_other_characters():
    assert error_of(validate_credit_code, "91330106MA27XX-XX0") == identity.CREDIT_CHARACTERS


@pytest.mark.parametrize("code", ["", "9133010671258280", "91330106MA27XXXXX00"])
def test_credit_code_wrong_length_or_missing(code):
    expected = identity.CREDIT_REQUIRED if not code else identity.CREDIT_LENGTH
    assert error_of(validate_credit_code, code) == expected


@pytest.mark.parametrize("authority", ["0", "B", "X"])
def test_credit_code_unknown_authority(authority):
    code = with_credit_check(authority + "1330106MA27XXXXX")
    assert error_of(validate_credit_code, code) == identity.CREDIT_AUTHORITY


@pytest.mark.parametrize("authority", list("159Y"))
def test_credit_code_known_authorities(authority):
    code = with_credit_check(authority + "1330106MA27XXXXX")
    assert validate_credit_code(code) == code


def test_credit_code_region_must_be_digits():
    code = with_credit_check("9133A106MA27XXXXX")
    assert error_of(validate_credit_code, code) == identity.CREDIT_REGION


def test_credit_check_char_rejects_bad_input():
    with pytest.raises(ValueError):
        credit_code_check_char("91330106MA27XXXX")
    with pytest.raises(ValueError):
        credit_code_check_char("91330106MA27XXXXI")


# --- mobile ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-13800138000",
        "8613800138000",
        "0086 138 0013 8000",
        "１３８００１３８０００",
    ],
)
def test_mobile_normalised(raw):
    assert validate_mobile(raw) == "13800138000"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", identity.MOBILE_REQUIRED),
        (" - ", identity.MOBILE_REQUIRED),
        ("1380013800a", identity.MOBILE_CHARACTERS),
        ("+1 415 555 2671", identity.MOBILE_CHARACTERS),
        ("1380013800", identity.MOBILE_LENGTH),
        ("138001380001", identity.MOBILE_LENGTH),
        ("861380013800", identity.MOBILE_LENGTH),
        ("12345678901", identity.MOBILE_PREFIX),
        ("+86 10 8888 88888", identity.MOBILE_PREFIX),
    ],
)
def test_mobile_invalid(raw, message):
    assert error_of(validate_mobile, raw) == message


# --- messages ----------------------------------------------------------------


def test_messages_are_unique_constants():
    constants = {
        value
        for name, value in vars(identity).items()
        if name.startswith(("ID_", "CREDIT_", "MOBILE_"))
        and isinstance(value, str)
        and name not in ("ID_CHECK_CHARS", "CREDIT_ALPHABET")
    }
    assert len(set(MESSAGES)) == len(MESSAGES)
    assert constants == set(MESSAGES)


# --- provider ----------------------------------------------------------------


def test_regions_table():
    codes = [code for code, _ in ZJ_REGIONS]
    assert len(codes) == len(set(codes)) == 90
    assert all(code.startswith("33") and code.isdigit() and len(code) == 6 for code in codes)
    assert ("330106", "西湖区") in ZJ_REGIONS


def test_generated_id_numbers_validate(fake):
    codes = {code for code, _ in ZJ_REGIONS}
    for _ in range(SAMPLES):
        number = fake.zj_id_number()
        assert validate_id_number(number) == number
        assert mod11_2_ok(number)
        assert number[:6] in codes
        for char in "0123456789X":
            if char != number[17]:
                bad = number[:17] + char
                assert error_of(validate_id_number, bad) == identity.ID_CHECK_DIGIT


@pytest.mark.parametrize(("min_age", "max_age"), [(18, 80), (0, 0), (60, 60), (100, 125), (0, 10_000)])
def test_generated_id_numbers_respect_age(fake, min_age, max_age):
    today = clock.china_today()
    for _ in range(SAMPLES // 5):
        born = id_number_birth_date(fake.zj_id_number(min_age=min_age, max_age=max_age))
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        assert min_age <= age <= max_age
        assert born >= date(1900, 1, 1)


def test_generated_id_numbers_gender_and_birth_date(fake):
    for gender in ("male", "female"):
        for _ in range(50):
            assert id_number_gender(fake.zj_id_number(gender=gender)) == gender
    number = fake.zj_id_number(birth_date=date(1985, 6, 15))
    assert id_number_birth_date(number) == date(1985, 6, 15)


def test_generated_id_number_rejects_bad_arguments(fake):
    with pytest.raises(ValueError):
        fake.zj_id_number(gender="other")
    for min_age, max_age in [(50, 40), (-1, 10), (200, 300)]:
        with pytest.raises(ValueError):
            fake.zj_id_number(min_age=min_age, max_age=max_age)


def test_generated_credit_codes_validate(fake):
    codes = {code for code, _ in ZJ_REGIONS}
    for _ in range(SAMPLES):
        code = fake.zj_credit_code()
        assert validate_credit_code(code) == code
        assert code[:2] == "91"
        assert code[2:8] in codes
        assert mod31_check(code[:17]) == code[17]
        assert org_code_ok(code[8:17])
        for char in CREDIT_ALPHABET:
            if char != code[17]:
                bad = code[:17] + char
                assert error_of(validate_credit_code, bad) == identity.CREDIT_CHECK_CHAR


def test_generated_mobiles_validate(fake):
    for _ in range(SAMPLES):
        mobile = fake.zj_mobile()
        assert validate_mobile(mobile) == mobile


def test_generated_addresses(fake):
    for _ in range(SAMPLES):
        address = fake.zj_address()
        assert address.startswith("浙江省杭州市")
        rest = address.removeprefix("浙江省杭州市")
        district = rest[:3]
        assert district in HANGZHOU_STREETS
        assert any(rest[3:].startswith(street) for street in HANGZHOU_STREETS[district])
        assert "号" in rest


def test_region_returns_table_entry(fake):
    for _ in range(SAMPLES):
        assert fake.zj_region() in ZJ_REGIONS


def draw(fake: Faker) -> list:
    return [
        (
            fake.zj_region(),
            fake.zj_id_number(),
            fake.zj_credit_code(),
            fake.zj_address(),
            fake.zj_mobile(),
        )
        for _ in range(50)
    ]


def test_same_seed_same_output():
    assert draw(make_fake(7)) == draw(make_fake(7))
    assert draw(make_fake(7)) != draw(make_fake(8))
