"""Valid answers for any catalogue form, for tests that need a complete application."""
from tests.factories import credit_code, id_number

SAMPLES = {
    "text": "测试",
    "date": "2026-11-02",
    "address": "杭州市西湖区文三路 90 号",
    "phone": "13912345678",
    "id_number": id_number(7),
    "credit_code": credit_code(7),
}


def sample_value(spec) -> str:
    if spec.type == "select":
        return spec.options[0].value
    if spec.type == "number":
        return f"{spec.min:g}" if spec.min is not None else "1"
    return SAMPLES[spec.type]


def complete_values(service) -> dict[str, str]:
    return {spec.key: sample_value(spec) for spec in service.fields}


def newborn(catalog):
    return catalog.bundles["BUNDLE-NEWBORN"]
