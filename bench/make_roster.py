"""Make a synthetic roster of any size: valid 统一社会信用代码, realistic names and districts,
and a share of deliberately bad rows (each kind the loader rejects).

Run:  .venv/bin/python bench/make_roster.py OUT.csv --rows 100000 [--bad 0.02] [--seed 1]
      [--encoding utf-8|utf-8-sig|gbk] [--year 2021]      (OUT.xlsx writes a workbook)
The data is invented (SYNTHETIC in the title row); no code belongs to a real enterprise on
purpose, though a random valid code may exist somewhere.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from pathlib import Path

from tzkg.loaders.roster.uscc import CHARSET, check_character

COUNTIES = {
    "02": ["海陵区", "泰州市海陵区", "海陵", "城东街道", "京泰路街道", "九龙镇"],
    "03": ["高港区", "泰州医药高新区", "医药高新区(高港区)", "口岸街道", "白马镇", "永安洲镇"],
    "04": ["姜堰区", "泰州市姜堰区", "姜堰", "溱潼镇", "娄庄镇", "三水街道"],
    "81": ["兴化市", "兴化", "昭阳街道", "戴窑镇"],
    "82": ["靖江市", "靖江", "江苏省泰州市靖江市", "新桥镇"],
    "83": ["泰兴市", "泰兴", "泰兴经济开发区", "黄桥镇"],
}
REGIONS = ["泰州", "江苏", "泰州市", "靖江", "泰兴", "兴化", "江苏省", ""]
TRADE = [
    "恒瑞",
    "盛达",
    "宏远",
    "金泰",
    "凯盛",
    "华晟",
    "鼎力",
    "博远",
    "天晟",
    "嘉瑞",
    "瑞丰",
    "永兴",
    "润泽",
    "中科",
    "新锐",
    "远航",
    "海润",
    "泰和",
    "安信",
    "联创",
    "宇航",
    "正泰",
    "卓越",
    "同创",
    "富元",
    "锦程",
    "信达",
    "德源",
    "弘毅",
    "启明",
    "通达",
    "星辰",
    "恒通",
    "汇丰",
    "华宇",
    "东升",
    "鸿运",
    "利民",
    "合力",
    "长青",
    "万邦",
    "瑞康",
    "康宁",
    "华星",
    "金桥",
    "博瑞",
    "智源",
    "精工",
]
INDUSTRY = [
    "科技",
    "电子科技",
    "机械",
    "精密机械",
    "化工",
    "新材料",
    "医药科技",
    "生物科技",
    "智能装备",
    "船舶配件",
    "汽车零部件",
    "环保科技",
    "光电",
    "信息技术",
    "电气",
    "软件",
    "检测技术",
    "流体设备",
    "节能科技",
    "医疗器械",
]
FORMS = ["有限公司", "有限公司", "有限公司", "股份有限公司", "科技有限公司", "有限责任公司"]
BAD_KINDS = (
    "uscc-checksum",
    "uscc-length",
    "uscc-charset",
    "missing-name",
    "unknown-district",
    "bad-year",
    "duplicate",
)
HEADER = ["序号", "企业名称", "统一社会信用代码", "所在地区", "认定年份", "证书编号"]


def code(rng: random.Random, county: str, serial: int) -> str:
    """A valid code: 91 (enterprise), 3212xx (the county), 9 characters, the check character."""
    body = "".join(rng.choice(CHARSET) for _ in range(3)) + f"{serial:06d}"
    first17 = f"913212{county}{body}"
    return first17 + check_character(first17)


def rows(count: int, *, bad: float, seed: int, year: int) -> Iterator[list[str]]:
    """`count` data rows, about `bad` of them bad in one way each."""
    rng = random.Random(seed)
    names: set[str] = set()
    earlier: list[list[str]] = []
    for i in range(1, count + 1):
        county = rng.choice(list(COUNTIES))
        while True:
            name = (rng.choice(REGIONS) + rng.choice(TRADE) + rng.choice(TRADE)[0]
                    + rng.choice(INDUSTRY) + rng.choice(FORMS))  # fmt: skip
            if name not in names:
                names.add(name)
                break
            if rng.random() < 0.3:  # dense space: add a distinguishing word
                name = name.replace("有限", f"{rng.choice(TRADE)}有限", 1)
                if name not in names:
                    names.add(name)
                    break
        row = [
            str(i),
            name,
            code(rng, county, i),
            rng.choice(COUNTIES[county]),
            rng.choice([str(year), f"{year}年", f"{year}年度"]),
            f"GR{year}32{i:06d}",
        ]
        if rng.random() < 0.1:
            row[2] = row[2].lower()  # lower case: normalised, not an error
        if earlier and rng.random() < bad:
            kind = rng.choice(BAD_KINDS)
            if kind == "uscc-checksum":
                row[2] = row[2][:17] + ("0" if row[2][17] != "0" else "1")
            elif kind == "uscc-length":
                row[2] = row[2][:15]
            elif kind == "uscc-charset":
                row[2] = row[2][:10] + "O" + row[2][11:]
            elif kind == "missing-name":
                row[1] = ""
            elif kind == "unknown-district":
                row[3] = rng.choice(["南京市", "扬州市江都区", "火星"])
            elif kind == "bad-year":
                row[4] = rng.choice(["二〇二一", "20211", "1899"])
            else:
                row = [str(i), *rng.choice(earlier)[1:]]
        if len(earlier) < 1000:
            earlier.append(row)
        yield row


def write_roster(
    path: Path,
    count: int,
    *,
    bad: float = 0.02,
    seed: int = 1,
    year: int = 2021,
    encoding: str = "utf-8",
) -> Path:
    """Write a synthetic roster (title, header, rows, a note) as .csv/.tsv or .xlsx."""
    title = [f"{year}年度泰州市高新技术企业认定名单(合成数据 SYNTHETIC, 非真实名单)"]
    note = ["注:本表由 bench/make_roster.py 生成,企业名称与代码均为虚构。"]
    data = rows(count, bad=bad, seed=seed, year=year)
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("名单")
        for row in [title, HEADER, *data, note]:
            sheet.append(row)
        book.save(path)
        return path
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(title)
        writer.writerow(HEADER)
        writer.writerows(data)
        writer.writerow(note)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--bad", type=float, default=0.02, help="share of bad rows (0-1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--encoding", default="utf-8")
    args = parser.parse_args()
    write_roster(args.out, args.rows, bad=args.bad, seed=args.seed, year=args.year,
                 encoding=args.encoding)  # fmt: skip
    print(f"wrote {args.out}: {args.rows} data rows")


if __name__ == "__main__":
    main()
