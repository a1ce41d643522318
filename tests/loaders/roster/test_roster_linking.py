"""Linking roster rows to the plan: the true links, the look-alike traps, and ambiguity."""

from __future__ import annotations

from pathlib import Path

import pytest
from roster_helpers import uscc, write_csv

from tzkg.config import Settings
from tzkg.loaders.roster import load_roster, prepare_roster
from tzkg.loaders.roster.prepare import PreparedRoster

BASE = "https://w3id.org/tzkg/id/"
HEADER = ["序号", "企业名称", "统一社会信用代码", "所在地区"]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(store_dir=Path("/nonexistent/store"))


def directory(tmp_path: Path, settings: Settings, names: list[str]) -> PreparedRoster:
    rows = [HEADER, *([i, name, "", ""] for i, name in enumerate(names, start=1))]
    path = write_csv(tmp_path / "directory.csv", rows)
    return prepare_roster(path, settings, kind="enterprise-directory")


TRUE_LINKS = {
    "扬子江药业集团有限公司": "enterprise/yangtze-river-pharmaceutical",  # reference legal name
    "苏中药业集团股份有限公司": "enterprise/suzhong-pharmaceutical",
    "江苏太平洋精锻科技股份有限公司": "enterprise/pacific-precision-forging",
    "江苏亚星锚链股份有限公司": "enterprise/asian-star-anchor-chain",
    "新浦化学（泰兴）有限公司": "enterprise/xinpu-chemical",  # full-width brackets
    "济川药业集团有限公司": "enterprise/jumpcan-pharmaceutical",  # alias in data/labels.csv
    "泰州隆基乐叶光伏科技有限公司": "enterprise/longi-solar-leye",
    "泰州市金融控股集团有限公司": "body/financial-holding-group",  # a body that is a company
    "亚星锚链股份有限公司": "enterprise/asian-star-anchor-chain",  # core: no 江苏
    "泰州亚星锚链有限公司": "enterprise/asian-star-anchor-chain",  # core: region word, 有限公司
    "双登集团有限公司": "enterprise/shuangdeng-group",  # core: 双登
    "江苏罡阳股份有限公司": "enterprise/gangyang",  # core of the short name 罡阳股份
    "扬子江船业": "enterprise/yangzijiang-shipbuilding",  # the short name itself
    "爱森（中国）絮凝剂有限公司": "enterprise/snf-china-flocculant",
}

LOOK_ALIKES = [
    "泰州亚星锚链配件有限公司",  # contains 亚星锚链
    "江苏东亚锚链有限公司",  # another 锚链
    "靖江亚星锚链物流有限公司",
    "江苏苏中药业销售有限公司",  # contains 苏中药业
    "扬子江药业集团江苏紫龙药业有限公司",  # a subsidiary, another legal entity
    "扬子江药业集团有限公司泰州分公司",  # a branch
    "泰州扬子江船舶配件有限公司",
    "新浦化学（南京）有限公司",  # another regional qualifier than (泰兴)
    "江苏中来光电材料有限公司",
    "华达汽车配件有限公司",
    "济川药业销售有限公司",
    "药业有限公司",
]


def test_true_links(tmp_path: Path, settings: Settings) -> None:
    for name, iri in TRUE_LINKS.items():
        prepared = directory(tmp_path, settings, [name])
        assert prepared.problems == [], name
        (record,) = prepared.records
        assert (record.subject.removeprefix(BASE), record.new) == (iri, False), name
        (link,) = prepared.links
        assert link.rule in ("name", "core")


def test_look_alikes_are_never_merged(tmp_path: Path, settings: Settings) -> None:
    prepared = directory(tmp_path, settings, LOOK_ALIKES)
    assert prepared.problems == [] and prepared.links == []
    assert all(r.new for r in prepared.records)
    assert all(r.subject.startswith(BASE + "enterprise/name-") for r in prepared.records)
    assert len({r.subject for r in prepared.records}) == len(LOOK_ALIKES)


def test_new_iris_are_stable_and_code_based(tmp_path: Path, settings: Settings) -> None:
    code = uscc("91321282MA1XYW123")
    rows = [
        HEADER,
        [1, "泰州亚星锚链配件有限公司", code, "靖江"],
        [2, "江苏东亚锚链有限公司", "", ""],
    ]
    first = prepare_roster(
        write_csv(tmp_path / "a.csv", rows), settings, kind="enterprise-directory"
    )
    again = prepare_roster(
        write_csv(tmp_path / "b.csv", rows), settings, kind="enterprise-directory"
    )
    assert [r.subject for r in first.records] == [r.subject for r in again.records]
    assert first.records[0].subject == f"{BASE}enterprise/uscc-{code}"
    assert first.records[1].subject.startswith(f"{BASE}enterprise/name-jiangsudongyamaolian")


def test_a_name_that_could_be_two_enterprises_is_reported(tmp_path: Path, own_data: Path) -> None:
    with (own_data / "labels.csv").open("a", encoding="utf-8") as labels:
        labels.write("enterprise,新浦化学(南京),Xinpu Chemical (Nanjing),xinpu-nanjing,\n")
    settings = Settings(data_dir=own_data, store_dir=tmp_path / "store")
    prepared = directory(tmp_path, settings, ["新浦化学有限公司", "新浦化学(泰兴)有限公司"])
    assert [(x.row, x.code) for x in prepared.problems] == [(2, "ambiguous-link")]
    message = prepared.problems[0].message
    assert "enterprise/xinpu-chemical" in message and "enterprise/xinpu-nanjing" in message
    assert prepared.records[0].subject == BASE + "enterprise/xinpu-chemical"  # exact legal name


LAB_HEADER = ["序号", "实验室名称", "依托单位", "级别", "所在地区"]


def labs(tmp_path: Path, settings: Settings, rows: list[list[object]]) -> PreparedRoster:
    path = write_csv(tmp_path / "labs.csv", [LAB_HEADER, *rows])
    return prepare_roster(path, settings, kind="key-laboratory")


def test_platform_links_by_name_and_by_host_and_class(tmp_path: Path, settings: Settings) -> None:
    prepared = labs(
        tmp_path,
        settings,
        [
            [
                1,
                "扬子江药业药物制剂新技术国家重点实验室",
                "扬子江药业集团有限公司",
                "国家级",
                "高港区",
            ],
            [2, "江苏省船用锚链重点实验室", "江苏亚星锚链股份有限公司", "省级", "靖江市"],
            [3, "江苏省锚链材料重点实验室", "泰州亚星锚链配件有限公司", "省级", "靖江市"],
        ],
    )
    assert prepared.problems == []
    got = [(r.subject.removeprefix(BASE), r.host.removeprefix(BASE) if r.host else None)
           for r in prepared.records]  # fmt: skip
    assert got[0] == ("platform/yangtze-river-pharmaceutical-state-key-laboratory",
                      "enterprise/yangtze-river-pharmaceutical")  # fmt: skip
    assert got[1] == ("platform/asian-star-anchor-chain-provincial-key-laboratory",
                      "enterprise/asian-star-anchor-chain")  # fmt: skip
    assert got[2][0].startswith("platform/name-") and got[2][1].startswith("enterprise/name-")


def test_a_platform_of_another_class_is_not_merged(tmp_path: Path, settings: Settings) -> None:
    """A provincial technology centre of 亚星锚链 is not the plan's national one."""
    rows = [
        ["序号", "企业名称", "所在地区", "认定年份"],
        [1, "江苏亚星锚链股份有限公司", "靖江市", "2015"],
    ]
    path = write_csv(tmp_path / "etc.csv", rows)
    prepared = prepare_roster(path, settings, kind="provincial-enterprise-technology-centre")
    (record,) = prepared.records
    assert record.new and record.name == "江苏亚星锚链股份有限公司技术中心"
    assert record.host == BASE + "enterprise/asian-star-anchor-chain"
    national = write_csv(tmp_path / "n.csv", rows)
    linked = prepare_roster(national, settings, kind="national-enterprise-technology-centre")
    assert linked.records[0].subject == (
        BASE + "platform/asian-star-anchor-chain-national-technology-centre"
    )


def test_two_fitting_plan_platforms_are_reported(tmp_path: Path, own_data: Path) -> None:
    with (own_data / "labels.csv").open("a", encoding="utf-8") as labels:
        labels.write("platform,亚星锚链国家重点实验室,Test lab,test-national-lab,\n")
    settings = Settings(data_dir=own_data, store_dir=tmp_path / "store")
    prepared = labs(tmp_path, settings, [[1, "锚链实验室", "江苏亚星锚链股份有限公司", "", ""]])
    assert [x.code for x in prepared.problems] == ["ambiguous-link"]
    assert "test-national-lab" in prepared.problems[0].message


def test_a_code_and_a_name_of_two_resources_are_reported(built: Settings, tmp_path: Path) -> None:
    """The code was loaded for 苏中药业; a later roster gives it to 扬子江药业: not guessed."""
    code = uscc("91321204141540012")
    first = write_csv(tmp_path / "a.csv", [HEADER, [1, "苏中药业集团股份有限公司", code, "姜堰区"]])
    assert load_roster(first, built, kind="gazelle-enterprise", year=2021).prepared.loaded == 1
    second = write_csv(tmp_path / "b.csv", [HEADER, [1, "扬子江药业集团有限公司", code, "高港区"],
                                           [2, "江苏某某有限公司", code, "高港区"]])  # fmt: skip
    outcome = load_roster(second, built, kind="gazelle-enterprise", year=2022)
    problems = outcome.prepared.problems
    assert [(x.row, x.code) for x in problems] == [(2, "ambiguous-link")]
    assert "suzhong-pharmaceutical" in problems[0].message
    assert "yangtze-river-pharmaceutical" in problems[0].message
    (record,) = outcome.prepared.records  # a new name with a known code: the code decides
    assert record.subject == BASE + "enterprise/suzhong-pharmaceutical"


def test_a_platform_named_with_another_level_is_a_conflict(
    tmp_path: Path, settings: Settings
) -> None:
    prepared = labs(
        tmp_path,
        settings,
        [[1, "亚星锚链省级重点实验室", "江苏亚星锚链股份有限公司", "国家级", ""]],
    )
    assert [x.code for x in prepared.problems] == ["class-conflict"]
    assert "Provincial" in prepared.problems[0].message


def test_a_level_once_given_is_kept(built: Settings, tmp_path: Path) -> None:
    """扬子江船业技术中心 has no level in the plan: a provincial list gives it one; a national list
    naming the same centre contradicts it and is reported (a platform has one level)."""
    rows = [["序号", "企业名称", "认定年份"], [1, "扬子江船业", "2016"]]
    provincial = load_roster(write_csv(tmp_path / "p.csv", rows), built,
                             kind="provincial-enterprise-technology-centre")  # fmt: skip
    assert provincial.prepared.problems == []
    (record,) = provincial.prepared.records
    assert record.subject == BASE + "platform/yangzijiang-shipbuilding-technology-centre"
    national = load_roster(write_csv(tmp_path / "n.csv", rows), built,
                           kind="national-enterprise-technology-centre")  # fmt: skip
    assert [x.code for x in national.prepared.problems] == ["class-conflict"]
    assert "ProvincialEnterpriseTechnologyCentre" in national.prepared.problems[0].message
