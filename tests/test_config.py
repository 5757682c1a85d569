"""Configuration: profiles load, mistakes are named with the key and the file they came from."""

from __future__ import annotations

import pytest

from native_align.config import ConfigError, conf_dir, parse_override
from native_align.settings import load_settings


def _yaml(tmp_path, text: str):
    path = tmp_path / "user.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("profile", ["local", "cluster", "databricks"])
def test_every_profile_loads(profile):
    settings = load_settings(profile)
    assert settings.profile == profile
    assert settings.ingest.max_text_bytes > 0 and settings.spark.shuffle_partitions >= 1


def test_profiles_in_conf_dir_are_the_three_documented():
    assert {p.stem for p in conf_dir().glob("*.yaml")} >= {"local", "cluster", "databricks"}


def test_local_profile_has_the_packaged_sample_source():
    src = load_settings("local").ingest.sources[0]
    assert (src.name, src.path, src.id_field, src.text_field) == ("sample", "package://sample", "id", "text")


def test_unknown_key_is_named_with_its_file(tmp_path):
    path = _yaml(tmp_path, "ingest:\n  max_text_bytez: 10\n")
    with pytest.raises(ConfigError) as err:
        load_settings("local", path)
    assert "unknown key 'ingest.max_text_bytez'" in str(err.value) and str(path) in str(err.value)


def test_unknown_key_inside_a_source_is_named(tmp_path):
    path = _yaml(tmp_path, "ingest:\n  sources:\n    - {name: a, path: /x, textfield: body}\n")
    with pytest.raises(ConfigError, match=r"ingest\.sources\.0\.textfield"):
        load_settings("local", path)


def test_mistyped_value_names_key_file_and_value(tmp_path):
    path = _yaml(tmp_path, "ingest:\n  excerpt_chars: lots\n")
    with pytest.raises(ConfigError) as err:
        load_settings("local", path)
    msg = str(err.value)
    assert "'ingest.excerpt_chars'" in msg and str(path) in msg and "'lots'" in msg


def test_out_of_range_value_is_rejected():
    with pytest.raises(ConfigError, match="ingest.max_text_bytes"):
        load_settings("local", overrides=["ingest.max_text_bytes=0"])


def test_unknown_section_is_named_with_its_file(tmp_path):
    path = _yaml(tmp_path, "ingst:\n  sources: []\n")
    with pytest.raises(ConfigError) as err:
        load_settings("local", path)
    assert "unknown config section 'ingst'" in str(err.value) and str(path) in str(err.value)


def test_set_overrides_win_over_profile_and_file(tmp_path):
    path = _yaml(tmp_path, "ingest:\n  excerpt_chars: 100\n")
    settings = load_settings("local", path, ["ingest.excerpt_chars=7", "spark.shuffle_partitions=3"])
    assert settings.ingest.excerpt_chars == 7 and settings.spark.shuffle_partitions == 3
    assert load_settings("local", path).ingest.excerpt_chars == 100
    # sections not mentioned keep the profile's values
    assert settings.ingest.sources[0].name == "sample"


def test_bad_set_is_attributed_to_the_override():
    with pytest.raises(ConfigError, match=r"--set ingest\.excerpt_chars=many"):
        load_settings("local", overrides=["ingest.excerpt_chars=many"])
    with pytest.raises(ConfigError, match="expected section.key=value"):
        parse_override("ingest.excerpt_chars")
    with pytest.raises(ConfigError, match="name a section and a key"):
        parse_override("excerpt_chars=3")
    assert parse_override("curate.lang_threshold=0.8") == (["curate", "lang_threshold"], 0.8)


def test_missing_config_file_and_duplicate_source_names(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings("local", tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match=r"config file not found: .*nosuchprofile\.yaml"):
        load_settings("nosuchprofile")
    path = _yaml(tmp_path, "ingest:\n  sources:\n    - {name: a, path: /x}\n    - {name: a, path: /y}\n")
    with pytest.raises(ConfigError, match="repeated: a"):
        load_settings("local", path)


def test_settings_sections_are_typed_models():
    from native_align.dedup.config import DedupConfig
    from native_align.rewrite.config import RewriteConfig
    from native_align.settings import SECTIONS, default_settings

    s = default_settings()
    assert isinstance(s.dedup, DedupConfig) and isinstance(s.rewrite, RewriteConfig)
    assert all(getattr(s, name) is not None for name in SECTIONS)
    with pytest.raises(Exception):
        s.dedup = "not a section"  # validated on assignment, like every field
