"""Faker provider producing valid Zhejiang identities for seeding and tests.

fake = Faker("zh_CN")
fake.add_provider(ZhejiangProvider)
fake.seed_instance(42)
fake.zj_id_number()
"""

from datetime import date, timedelta

from faker.providers import BaseProvider

from services import clock
from services.identity import (
    CREDIT_ALPHABET,
    EARLIEST_BIRTH_DATE,
    credit_code_check_char,
    id_number_check_char,
)

# County-level divisions of Zhejiang after the 2021 Hangzhou redistricting
# (下城区 and 江干区 abolished; 临平区 and 钱塘区 created).
ZJ_REGIONS = (
    # 杭州市
    ("330102", "上城区"),
    ("330105", "拱墅区"),
    ("330106", "西湖区"),
    ("330108", "滨江区"),
    ("330109", "萧山区"),
    ("330110", "余杭区"),
    ("330111", "富阳区"),
    ("330112", "临安区"),
    ("330113", "临平区"),
    ("330114", "钱塘区"),
    ("330122", "桐庐县"),
    ("330127", "淳安县"),
    ("330182", "建德市"),
    # 宁波市
    ("330203", "海曙区"),
    ("330205", "江北区"),
    ("330206", "北仑区"),
    ("330211", "镇海区"),
    ("330212", "鄞州区"),
    ("330213", "奉化区"),
    ("330225", "象山县"),
    ("330226", "宁海县"),
    ("330281", "余姚市"),
    ("330282", "慈溪市"),
    # 温州市
    ("330302", "鹿城区"),
    ("330303", "龙湾区"),
    ("330304", "瓯海区"),
    ("330305", "洞头区"),
    ("330324", "永嘉县"),
    ("330326", "平阳县"),
    ("330327", "苍南县"),
    ("330328", "文成县"),
    ("330329", "泰顺县"),
    ("330381", "瑞安市"),
    ("330382", "乐清市"),
    ("330383", "龙港市"),
    # 嘉兴市
    ("330402", "南湖区"),
    ("330411", "秀洲区"),
    ("330421", "嘉善县"),
    ("330424", "海盐县"),
    ("330481", "海宁市"),
    ("330482", "平湖市"),
    ("330483", "桐乡市"),
    # 湖州市
    ("330502", "吴兴区"),
    ("330503", "南浔区"),
    ("330521", "德清县"),
    ("330522", "长兴县"),
    ("330523", "安吉县"),
    # 绍兴市
    ("330602", "越城区"),
    ("330603", "柯桥区"),
    ("330604", "上虞区"),
    ("330624", "新昌县"),
    ("330681", "诸暨市"),
    ("330683", "嵊州市"),
    # 金华市
    ("330702", "婺城区"),
    ("330703", "金东区"),
    ("330723", "武义县"),
    ("330726", "浦江县"),
    ("330727", "磐安县"),
    ("330781", "兰溪市"),
    ("330782", "义乌市"),
    ("330783", "东阳市"),
    ("330784", "永康市"),
    # 衢州市
    ("330802", "柯城区"),
    ("330803", "衢江区"),
    ("330822", "常山县"),
    ("330824", "开化县"),
    ("330825", "龙游县"),
    ("330881", "江山市"),
    # 舟山市
    ("330902", "定海区"),
    ("330903", "普陀区"),
    ("330921", "岱山县"),
    ("330922", "嵊泗县"),
    # 台州市
    ("331002", "椒江区"),
    ("331003", "黄岩区"),
    ("331004", "路桥区"),
    ("331022", "三门县"),
    ("331023", "天台县"),
    ("331024", "仙居县"),
    ("331081", "温岭市"),
    ("331082", "临海市"),
    ("331083", "玉环市"),
    # 丽水市
    ("331102", "莲都区"),
    ("331121", "青田县"),
    ("331122", "缙云县"),
    ("331123", "遂昌县"),
    ("331124", "松阳县"),
    ("331125", "云和县"),
    ("331126", "庆元县"),
    ("331127", "景宁畲族自治县"),
    ("331181", "龙泉市"),
)

HANGZHOU_STREETS = {
    "上城区": ("解放路", "清泰街", "望江路", "南山路", "秋涛路", "凯旋路", "钱江路", "富春路", "新塘路", "庆春东路"),
    "拱墅区": (
        "莫干山路",
        "湖墅南路",
        "上塘路",
        "大关路",
        "丽水路",
        "湖州街",
        "登云路",
        "体育场路",
        "中山北路",
        "潮王路",
    ),
    "西湖区": ("文三路", "文二路", "文一路", "天目山路", "学院路", "教工路", "古墩路", "西溪路", "保俶路", "曙光路"),
    "滨江区": ("江南大道", "滨盛路", "江陵路", "网商路", "长河路", "西兴路", "江晖路", "滨安路", "火炬大道", "信诚路"),
    "萧山区": ("市心中路", "市心北路", "金城路", "人民路", "山阴路", "通惠中路", "建设一路", "萧绍路"),
    "余杭区": ("文一西路", "五常大道", "良睦路", "高教路", "荆长大道", "余杭塘路"),
    "临平区": ("迎宾路", "世纪大道", "藕花洲大街", "人民大道", "望梅路", "临平大道"),
    "钱塘区": ("学源街", "学林街", "文泽路", "文渊路", "文海南路", "下沙路", "金沙大道"),
    "富阳区": ("恩波大道", "金桥北路", "江滨西大道"),
    "临安区": ("钱王街", "衣锦街", "武肃街"),
}

# Voice segments in use by China Mobile, Unicom, Telecom and Broadnet; a
# plain 13x-19x range would include unassigned (154) and data-only (14x) ones.
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "190",
    "191",
    "192",
    "193",
    "195",
    "196",
    "197",
    "198",
    "199",
)

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _org_code_check_char(first8: str) -> str:
    # GB 11714 check for the 9-character organisation code embedded in
    # positions 9-17 of a credit code, so generated codes look issued.
    total = sum(_BASE36.index(char) * w for char, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap target year
        return day.replace(year=day.year - years, day=28)


class ZhejiangProvider(BaseProvider):
    def zj_region(self) -> tuple[str, str]:
        """A county-level (code, Chinese name) pair in Zhejiang."""
        return self.generator.random.choice(ZJ_REGIONS)

    def zj_id_number(
        self,
        min_age: int = 18,
        max_age: int = 80,
        gender: str | None = None,
        birth_date: date | None = None,
    ) -> str:
        """A valid resident ID number registered in Zhejiang.

        Ages count from the application clock's date in China, so a seed gives
        the same numbers only on the same (clock) day unless `birth_date` is
        passed; it is used as given, so tests can build out-of-range dates.
        """
        rnd = self.generator.random
        if gender not in (None, "male", "female"):
            raise ValueError("gender must be 'male', 'female' or None")
        if birth_date is None:
            today = clock.china_today()
            # Validation rejects births before 1900, so older ages are capped.
            oldest = min(max_age, today.year - EARLIEST_BIRTH_DATE.year) + 1
            earliest = max(_years_before(today, oldest) + timedelta(days=1), EARLIEST_BIRTH_DATE)
            latest = _years_before(today, min_age)
            if not 0 <= min_age <= max_age or earliest > latest:
                raise ValueError("no birth date satisfies min_age and max_age")
            birth_date = date.fromordinal(rnd.randint(earliest.toordinal(), latest.toordinal()))
        if gender is None:
            gender = rnd.choice(("male", "female"))
        gender_digit = rnd.choice("13579" if gender == "male" else "02468")
        first17 = f"{self.zj_region()[0]}{birth_date:%Y%m%d}{rnd.randint(0, 99):02d}{gender_digit}"
        return first17 + id_number_check_char(first17)

    def zj_credit_code(self) -> str:
        """A valid credit code of a company ('91') registered in Zhejiang."""
        rnd = self.generator.random
        if rnd.random() < 0.5:
            # Codes issued since the 2015 reform use the "MA" segment.
            body = "MA" + "".join(rnd.choice(CREDIT_ALPHABET) for _ in range(6))
        else:
            body = "".join(rnd.choice("0123456789") for _ in range(8))
        first17 = f"91{self.zj_region()[0]}{body}{_org_code_check_char(body)}"
        return first17 + credit_code_check_char(first17)

    def zj_address(self) -> str:
        """A street address in one of Hangzhou's urban districts."""
        rnd = self.generator.random
        district = rnd.choice(tuple(HANGZHOU_STREETS))
        street = rnd.choice(HANGZHOU_STREETS[district])
        address = f"浙江省杭州市{district}{street}{rnd.randint(1, 999)}号"
        if rnd.random() < 0.6:
            address += f"{rnd.randint(1, 20)}幢{rnd.randint(1, 4)}单元{rnd.randint(1, 28)}{rnd.randint(1, 4):02d}室"
        return address

    def zj_mobile(self) -> str:
        rnd = self.generator.random
        return rnd.choice(MOBILE_PREFIXES) + f"{rnd.randint(0, 99_999_999):08d}"
