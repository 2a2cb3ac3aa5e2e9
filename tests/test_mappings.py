"""Label mappings a user extends: a target outside a closed list stops, a near-miss of a known label is named."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from analyse import as2007, fremmoede, published, rusmiddel
from analyse.cleaning import CleanContext, clean_source
from analyse.exceptions import ConfigError
from analyse.mappings import load_mapping
from analyse.pipeline import clean_all
from tests.conftest import TEST_KEY, write_csv

AS_HEADER = "CPR;Ydelsestype;Startdato;Slutdato;Leverandør;Timer pr. uge;Beløb"
RM_HEADER = "CPR;Rusmiddel;Startdato;Slutdato;Afslutningsstatus"
FM_HEADER = "Dato;Tilbud;Deltager;Antal"


def user_mapping(tmp_path, name: str, *lines: str):
    folder = tmp_path / "mine"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.csv").write_text("\n".join(["variant;kanonisk", *lines]) + "\n", encoding="utf-8")
    return folder


def context(mappings_dir) -> CleanContext:
    return CleanContext(key=TEST_KEY.encode(), mappings_dir=mappings_dir)


# --- closed lists: afslutningsstatus and rusmiddel --------------------------------------------


def test_a_status_outside_the_canonical_list_stops_with_file_row_and_a_suggestion(tmp_path):
    user = user_mapping(tmp_path, "afslutningsstatus", "Afsluttet som planlagt;Ophørt", "Afsluttet;ophrt")
    path = write_csv(tmp_path / "rusmiddel" / "x.csv", [RM_HEADER, "0102831234;Alkohol;01-02-2018;01-05-2018;Afsluttet"])
    with pytest.raises(ConfigError) as err:
        clean_source(rusmiddel.SPEC, [path], context(user))
    message = str(err.value)
    assert f"{user / 'afslutningsstatus.csv'}, række 3" in message
    assert "'ophrt' er ikke en kendt afslutningsstatus" in message
    assert "(kendte: Ophørt, Reduceret, Stabiliseret, Uændret, Øget, Henvist, Udeblevet, Afbrudt, Flyttet, Død)" in message
    assert message.endswith("mente du 'Ophørt'?")
    assert "\n" not in message


def test_a_status_far_from_every_canonical_one_stops_without_a_guess(tmp_path):
    user = user_mapping(tmp_path, "afslutningsstatus", "Overført;Overført til psykiatrien")
    with pytest.raises(ConfigError, match="'Overført til psykiatrien' er ikke en kendt afslutningsstatus") as err:
        rusmiddel.add_status(pd.DataFrame({"end_raw": ["01-03-2018"], "status_raw": ["Overført"]}), user)
    assert "mente du" not in str(err.value)


def test_a_status_holding_a_canonical_one_suggests_it(tmp_path):
    user = user_mapping(tmp_path, "afslutningsstatus", "Afbrudt af borger;Afbrudt af borgeren")
    with pytest.raises(ConfigError, match=r"'Afbrudt af borgeren' er ikke .*; mente du 'Afbrudt'\?$"):
        rusmiddel.add_status(pd.DataFrame({"end_raw": ["01-03-2018"], "status_raw": ["Afbrudt af borger"]}), user)


def test_a_target_differing_from_a_canonical_label_only_in_case_or_spacing_is_that_label(tmp_path):
    # Variants never need their own line for case and spacing; targets are read the same way.
    user = user_mapping(tmp_path, "afslutningsstatus", "Afsluttet;ophørt", "Nedsat forbrug;  REDUCERET ")
    df = pd.DataFrame({"end_raw": ["01-03-2018", "01-03-2018"], "status_raw": ["Afsluttet", "nedsat forbrug"]})
    out = rusmiddel.add_status(df, user)
    assert out["afslutningsstatus"].tolist() == ["Ophørt", "Reduceret"]
    assert out["_reason"].isna().all()


def test_a_rusmiddel_outside_alkohol_and_stof_stops(tmp_path):
    user = user_mapping(tmp_path, "rusmiddel", "Hash;Stoffer", "Cigaretter;Tobak")
    with pytest.raises(ConfigError, match=r"række 2: 'Stoffer' er ikke et kendt rusmiddel \(kendte: Alkohol, Stof\); "
                                          r"mente du 'Stof'\?"):
        rusmiddel.add_rusmiddel(pd.DataFrame({"rusmiddel_raw": ["Hash"]}), user)


def test_the_command_line_stops_on_a_wrong_status_target_in_one_line(tmp_path, capsys):
    from analyse import cli

    user = user_mapping(tmp_path, "afslutningsstatus", "Afsluttet;ophrt")
    write_csv(tmp_path / "raw" / "rusmiddel" / "x.csv", [RM_HEADER, "0102831234;Alkohol;01-02-2018;01-05-2018;Afsluttet"])
    code = cli.main(["clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"), "--mappings", str(user)])
    err = capsys.readouterr().err
    assert code == 2
    assert [line for line in err.splitlines() if line.strip()] == [
        f"analyse: fejl: mappingfil {user / 'afslutningsstatus.csv'}, række 2: 'ophrt' er ikke en kendt "
        "afslutningsstatus (kendte: Ophørt, Reduceret, Stabiliseret, Uændret, Øget, Henvist, Udeblevet, Afbrudt, "
        "Flyttet, Død); mente du 'Ophørt'?"
    ]
    assert not (tmp_path / "out" / "kvalitet.json").exists()


# --- open lists: ydelsestype and tilbud (a user may add new ones) ------------------------------


def test_a_near_miss_of_a_canonical_ydelsestype_is_mapped_as_written_but_warned_about(tmp_path, caplog):
    user = user_mapping(tmp_path, "ydelsestype", "§ 999 Ukendt ydelse;§ 85 bostøtte timetakt")
    path = write_csv(tmp_path / "as2007" / "x.csv", [AS_HEADER, "0102031234;§ 999 Ukendt ydelse;01-02-2016;;;;"])
    with caplog.at_level(logging.WARNING):
        result = clean_source(as2007.SPEC, [path], context(user))
    assert result.clean["ydelsestype"].tolist() == ["§ 85 bostøtte timetakt"]  # new types are allowed
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        f"mappingfil {user / 'ydelsestype.csv'}, række 2: '§ 85 bostøtte timetakt' er ikke en kendt ydelsestype "
        "og bliver en ny; mente du '§ 85 bostøtte timetakst'?"
    ]


def test_a_new_ydelsestype_unlike_any_known_one_is_not_warned_about(tmp_path, caplog):
    user = user_mapping(tmp_path, "ydelsestype", "Ny ordning;§ 83a Rehabiliteringsforløb")
    path = write_csv(tmp_path / "as2007" / "x.csv", [AS_HEADER, "0102031234;ny ordning;01-02-2016;;;;"])
    with caplog.at_level(logging.WARNING):
        result = clean_source(as2007.SPEC, [path], context(user))
    assert result.clean["ydelsestype"].tolist() == ["§ 83a Rehabiliteringsforløb"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_ydelsestype_target_in_another_case_is_the_canonical_label_not_a_new_row(tmp_path):
    user = user_mapping(tmp_path, "ydelsestype", "Bostøtte i eget hjem;§ 85 BOSTØTTE TIMETAKST")
    path = write_csv(tmp_path / "as2007" / "x.csv", [AS_HEADER, "0102031234;Bostøtte i eget hjem;01-02-2016;;;;"])
    result = clean_source(as2007.SPEC, [path], context(user))
    assert result.clean["ydelsestype"].tolist() == ["§ 85 bostøtte timetakst"]


def test_new_targets_spelled_two_ways_are_one_label(tmp_path):
    user = user_mapping(tmp_path, "tilbud", "Yoga i parken;Yoga", "Yoga udendørs;yoga ")
    mapping = fremmoede.tilbud_mapping(user)
    assert mapping.lookup(pd.Series(["yoga i parken", "Yoga udendørs"])).tolist() == ["Yoga", "Yoga"]
    assert mapping.canonical.count("Yoga") == 1 and "yoga" not in mapping.canonical


def test_a_near_miss_of_a_tabel4_tilbud_is_warned_about_when_cleaning(tmp_path, caplog):
    user = user_mapping(tmp_path, "tilbud", "Maleholdet torsdag;Torsdags malehold")
    path = write_csv(tmp_path / "fremmoede" / "x.csv", [FM_HEADER, "04-03-2019;Maleholdet torsdag;Anne Hansen;"])
    with caplog.at_level(logging.WARNING):
        result = clean_source(fremmoede.SPEC, [path], context(user))
    assert result.clean["tilbud"].tolist() == ["Torsdags malehold"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        f"mappingfil {user / 'tilbud.csv'}, række 2: 'Torsdags malehold' er ikke et kendt tilbud og bliver et nyt; "
        "mente du 'Torsdags malerhold'?"
    ]


def test_a_near_miss_is_warned_about_once_per_clean_through_the_command_line(tmp_path, caplog):
    from analyse import cli

    user = user_mapping(tmp_path, "ydelsestype", "§ 999 Ukendt ydelse;§ 85 bostøtte timetakt")
    write_csv(tmp_path / "raw" / "as2007" / "a.csv", [AS_HEADER, "0102031234;§ 999 Ukendt ydelse;01-02-2016;;;;"])
    write_csv(tmp_path / "raw" / "as2007" / "b.csv", [AS_HEADER, "0102031235;§ 85 bostøtte timetakst;01-02-2016;;;;"])
    with caplog.at_level(logging.WARNING):
        code = cli.main(["clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"), "--mappings", str(user)])
    assert code == 0
    near_misses = [r for r in caplog.records if "er ikke en kendt ydelsestype og bliver en ny" in r.getMessage()]
    assert len(near_misses) == 1


# --- the shipped mappings ------------------------------------------------------------------------


@pytest.mark.parametrize("name, canonical", [
    ("ydelsestype", published.ydelsestyper()),
    ("tilbud", published.tilbud_labels()),
    ("afslutningsstatus", list(rusmiddel.STATUSES)),
    ("rusmiddel", list(rusmiddel.SUBSTANCES)),
])
def test_every_shipped_target_is_a_canonical_label(tmp_path, name, canonical):
    mapping = load_mapping(name, canonical, tmp_path / "ingen", closed=True)
    assert set(mapping.by_key.values()) <= set(canonical)
    assert mapping.warnings == ()


def test_clean_all_without_user_mappings_is_quiet(tmp_path, caplog):
    write_csv(tmp_path / "raw" / "rusmiddel" / "x.csv", [RM_HEADER, "0102831234;Alkohol;01-02-2018;01-05-2018;ophoert"])
    with caplog.at_level(logging.WARNING):
        clean_all(tmp_path / "raw", tmp_path / "out", mappings_dir=tmp_path / "ingen")
    assert not [r for r in caplog.records if r.name.startswith("analyse.mappings")]
