"""The backup archive format and the backup directory, without a database or a bot."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models.backups import BACKUP_VERSION, BackupInvalid, BackupProblem, BackupState, Metadata, next_backup_at
from app.services.backups import archive as fmt
from app.services.backups import files, reader, stream
from app.services.backups.schedule import capped_due
from app.services.backups.schema import APP_COLLECTIONS
from app.texts.backups import COUNTS_SHOWN

BSON_TEXT = st.characters(exclude_categories=["Cs"])  # BSON strings are UTF-8: no lone surrogates
MOMENT = datetime(2026, 2, 1, 14, 30, 25, tzinfo=UTC)


def write_archive(
    path: Path,
    collections: dict[str, list[dict[str, Any]]],
    *,
    batch: int = 2,
    **metadata_overrides: Any,
) -> Metadata:
    writer = fmt.ArchiveWriter(path)
    for name, documents in collections.items():
        writer.begin_collection(name)
        for start in range(0, len(documents), batch):
            writer.write_documents(documents[start : start + batch])
        writer.end_collection()
    digest = writer.finish_data()
    values: dict[str, Any] = {
        "created_at": MOMENT,
        "backup_version": BACKUP_VERSION,
        "app_version": "1.0.0",
        "kind": "manual",
        "database": "techsupport",
        "records_count": {name: len(docs) for name, docs in collections.items()},
        "data_sha256": digest,
    }
    values.update(metadata_overrides)
    metadata = Metadata(**values)
    writer.write_metadata(metadata)
    writer.close()
    return metadata


def rewrite(path: Path, *, data: bytes | None = None, metadata: dict[str, Any] | None = None, drop: str = "") -> None:
    """Build a new ZIP from `path` with data.json / metadata.json replaced or one entry left out."""
    with zipfile.ZipFile(path) as original:
        entries = {name: original.read(name) for name in original.namelist()}
    if data is not None:
        entries[fmt.DATA_NAME] = data
    if metadata is not None:
        entries[fmt.METADATA_NAME] = json.dumps(metadata).encode()
    entries.pop(drop, None)
    path.unlink()
    with zipfile.ZipFile(path, "w") as rebuilt:
        for name, content in entries.items():
            rebuilt.writestr(name, content)


def sample() -> dict[str, list[dict[str, Any]]]:
    return {
        "users": [
            {"_id": 1001, "first_name": "Тарас", "created_at": datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)},
            {"_id": 1002, "first_name": 'Ivan "quoted" {braces} [x]', "language": "en"},
            {"_id": 2**40, "nested": {"list": [1, 2.5, None, True], "$weird": "dollar key"}},
        ],
        "tickets": [{"_id": ObjectId(), "number": 1, "description": "Принтер\nне друкує ✓"}],
        "empty": [],
    }


def read_events(path: Path) -> list[tuple[str, dict[str, Any] | None]]:
    with zipfile.ZipFile(path) as archive, archive.open(fmt.DATA_NAME) as raw:
        return list(reader.DataStream(raw).events())


def test_round_trip_keeps_types_and_is_readable_json(tmp_path: Path) -> None:
    path = tmp_path / "backup_20260201_143025.zip"
    collections = sample()
    written = write_archive(path, collections)
    assert reader.validate_archive(path) == written
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["data.json", "metadata.json"]
        text = archive.read("data.json").decode("utf-8")
        metadata = json.loads(archive.read("metadata.json"))
    assert "Тарас" in text and "\\u" not in text  # readable UTF-8, not escapes
    assert set(json.loads(text)) == {"users", "tickets", "empty"}  # plain JSON any tool can read
    assert '{"$oid": "' in text and '{"$date": "2026-01-02T03:04:05.123Z"}' in text  # Extended JSON, relaxed
    assert metadata["backup_version"] == "1.0" and metadata["kind"] == "manual"
    assert metadata["records_count"] == {"users": 3, "tickets": 1, "empty": 0}
    assert metadata["created_at"] == "2026-02-01T14:30:25+00:00"
    events = read_events(path)
    documents = {name: [doc for n, doc in events if n == name and doc is not None] for name in collections}
    assert documents == collections  # ObjectId, datetimes (ms), big ints, unicode: all identical
    assert [name for name, doc in events if doc is None] == ["users", "tickets", "empty"]


def test_documents_split_across_read_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "backup.zip"
    collections = sample()
    write_archive(path, collections)
    monkeypatch.setattr(stream, "CHUNK_BYTES", 7)  # every document spans many reads
    assert [doc for _, doc in read_events(path) if doc is not None] == [
        doc for docs in collections.values() for doc in docs
    ]
    assert reader.validate_archive(path).records_count["users"] == 3


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.text(st.characters(exclude_characters="$\x00", exclude_categories=["Cs"]), min_size=1, max_size=8),
        st.lists(
            st.dictionaries(
                st.text(BSON_TEXT, max_size=6),
                st.one_of(st.integers(-(2**62), 2**62), st.text(BSON_TEXT, max_size=20), st.booleans(), st.none()),
                max_size=4,
            ),
            max_size=5,
        ),
        max_size=4,
    ).filter(lambda c: all(not n.startswith("system.") for n in c))
)
def test_any_documents_survive_the_round_trip(tmp_path: Path, collections: dict[str, list[dict[str, Any]]]) -> None:
    path = tmp_path / f"hyp_{os.urandom(4).hex()}.zip"
    write_archive(path, collections, batch=3)
    reader.validate_archive(path)
    events = read_events(path)
    assert {name: [d for n, d in events if n == name and d is not None] for name in collections} == collections
    path.unlink()


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        ("garbage", BackupProblem.NOT_ZIP),
        ("truncated", BackupProblem.NOT_ZIP),
        ("no_data", BackupProblem.MISSING_FILE),
        ("no_metadata", BackupProblem.MISSING_FILE),
        ("tampered", BackupProblem.CHECKSUM),
        ("version", BackupProblem.UNSUPPORTED_VERSION),
        ("metadata_json", BackupProblem.BAD_METADATA),
        ("counts", BackupProblem.COUNTS),
        ("bad_json", BackupProblem.BAD_JSON),
        ("system_collection", BackupProblem.BAD_COLLECTION),
        ("missing", BackupProblem.NOT_FOUND),
    ],
)
def test_every_damage_is_named(tmp_path: Path, damage: str, problem: BackupProblem) -> None:
    path = tmp_path / "backup_20260201_143025.zip"
    metadata = write_archive(path, sample()).to_json()
    if damage == "garbage":
        path.write_bytes(b"this is not a zip file at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "no_data":
        rewrite(path, drop="data.json")
    elif damage == "no_metadata":
        rewrite(path, drop="metadata.json")
    elif damage == "tampered":
        with zipfile.ZipFile(path) as archive:
            data = archive.read("data.json").replace(b'"number": 1', b'"number": 7')
        rewrite(path, data=data)
    elif damage == "version":
        rewrite(path, metadata=metadata | {"backup_version": "9.9"})
    elif damage == "metadata_json":
        with zipfile.ZipFile(path) as archive:
            entries = {n: archive.read(n) for n in archive.namelist()}
        path.unlink()
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("data.json", entries["data.json"])
            archive.writestr("metadata.json", b"{not json")
    elif damage == "counts":
        rewrite(path, metadata=metadata | {"records_count": {"users": 2, "tickets": 1, "empty": 0}})
    elif damage in ("bad_json", "system_collection"):
        data = b'{"users": [{"_id": 1},, ]}' if damage == "bad_json" else b'{"system.users": []}'
        rewrite(path, data=data, metadata=metadata | {"data_sha256": __import__("hashlib").sha256(data).hexdigest()})
    elif damage == "missing":
        path.unlink()
    with pytest.raises(BackupInvalid) as caught:
        reader.validate_archive(path)
    assert caught.value.problem is problem


def test_names_ids_and_paths(tmp_path: Path) -> None:
    files.prepare_directory(tmp_path)
    assert files.backup_name(MOMENT) == "backup_20260201_143025.zip"
    assert files.backup_name(MOMENT, safety=True) == "backup_20260201_143025_safety.zip"
    parsed = files.parse_name(tmp_path / "backup_20260201_143025_safety.zip")
    assert parsed is not None and parsed.safety and parsed.backup_id == "20260201_143025_safety"
    assert parsed.created_at == MOMENT
    assert files.parse_name(tmp_path / "backup_20261399_000000.zip") is None  # no 13th month
    (tmp_path / "backup_20260201_143025.zip").write_bytes(b"x")
    assert files.path_for_id(tmp_path, "20260201_143025") == tmp_path / "backup_20260201_143025.zip"
    upload_id, upload = files.new_upload(tmp_path)
    upload.write_bytes(b"x")
    assert files.path_for_id(tmp_path, upload_id) == upload
    for forged in (
        "../../etc/passwd",
        "20260201_143025/../../x",
        "..",
        "",
        "/etc/passwd",
        "20260201_143025.zip",
        "u../../../../etc",
        "U0123456789abcdef",
        "20260201_143025\x00",
        "20260201_143025_safety/..",
    ):
        with pytest.raises(BackupInvalid) as caught:
            files.path_for_id(tmp_path, forged)
        assert caught.value.problem is BackupProblem.INVALID_ID, forged
    with pytest.raises(BackupInvalid) as missing:
        files.path_for_id(tmp_path, "20200101_000000")
    assert missing.value.problem is BackupProblem.NOT_FOUND


def test_permissions(tmp_path: Path) -> None:
    directory = tmp_path / "nested" / "backups"
    files.prepare_directory(directory)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((directory / "uploads").stat().st_mode) == 0o700
    old = os.umask(0)  # even a careless umask gives 0600
    try:
        path = directory / "backup_20260201_143025.zip"
        write_archive(path, sample())
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def touch_backup(directory: Path, moment: datetime, *, safety: bool = False) -> Path:
    path = directory / files.backup_name(moment, safety=safety)
    path.write_bytes(b"zip")
    return path


def test_retention_keeps_regular_and_safety_pools_apart(tmp_path: Path) -> None:
    regular = [touch_backup(tmp_path, MOMENT + timedelta(days=7 * i)) for i in range(5)]
    safety = [touch_backup(tmp_path, MOMENT + timedelta(days=7 * i, hours=1), safety=True) for i in range(4)]
    (tmp_path / ".backup_20300101_000000.zip.part").write_bytes(b"half")
    (tmp_path / "notes.txt").write_text("mine")
    removed = files.apply_retention(tmp_path, keep=3)
    assert sorted(removed) == sorted(regular[:2] + safety[:1])
    listed = files.list_backups(tmp_path)
    assert [b.path for b in listed] == [
        regular[4],
        safety[3],
        regular[3],
        safety[2],
        regular[2],
        safety[1],
    ]  # newest first; .part and other files are never listed
    assert (tmp_path / "notes.txt").exists() and (tmp_path / ".backup_20300101_000000.zip.part").exists()


def test_leftovers_are_cleaned(tmp_path: Path) -> None:
    files.prepare_directory(tmp_path)
    part = tmp_path / ".backup_20260201_143025.zip.part"
    part.write_bytes(b"half")
    _, fresh = files.new_upload(tmp_path)
    _, stale = files.new_upload(tmp_path)
    fresh.write_bytes(b"x")
    stale.write_bytes(b"x")
    day_ago = stale.stat().st_mtime - files.STALE_UPLOAD_SECONDS - 10
    os.utime(stale, (day_ago, day_ago))
    assert sorted(files.remove_leftovers(tmp_path)) == sorted([part, stale])
    assert fresh.exists()


def test_writer_failure_leaves_nothing_that_looks_whole(tmp_path: Path) -> None:
    part = tmp_path / ".backup_20260201_143025.zip.part"
    writer = fmt.ArchiveWriter(part)
    writer.begin_collection("users")
    writer.write_documents([{"_id": 1}])
    writer.abort()  # what the service does when anything fails midway
    part.unlink()
    assert files.list_backups(tmp_path) == []
    with pytest.raises(FileExistsError):  # never writes into a file it did not create
        fmt.ArchiveWriter(touch_backup(tmp_path, MOMENT))


def test_directory_lock_is_exclusive(tmp_path: Path) -> None:
    first, second = files.DirectoryLock(tmp_path), files.DirectoryLock(tmp_path)
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def raw_archive(path: Path, data: bytes, counts: dict[str, int]) -> None:
    path.unlink(missing_ok=True)
    metadata = write_archive(path, {}).to_json()
    digest = __import__("hashlib").sha256(data).hexdigest()
    rewrite(path, data=data, metadata=metadata | {"records_count": counts, "data_sha256": digest})


@pytest.mark.parametrize("chunk", [7, stream.CHUNK_BYTES])
def test_limits_are_reasons_never_crashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(stream, "CHUNK_BYTES", chunk)
    path = tmp_path / "backup.zip"
    deep = b'{"users": [{"_id": 1, "x": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}]}"
    raw_archive(path, deep, {"users": 1})
    with pytest.raises(BackupInvalid) as too_deep:
        reader.validate_archive(path)  # not RecursionError
    assert too_deep.value.problem is BackupProblem.TOO_DEEP and too_deep.value.detail == "users, record 1"

    deep_list = b'{"users": [{"_id": 1, "x": ' + b"[" * 101 + b"]" * 101 + b"}]}"
    raw_archive(path, deep_list, {"users": 1})
    with pytest.raises(BackupInvalid) as lists:
        reader.validate_archive(path)
    assert lists.value.problem is BackupProblem.TOO_DEEP

    monkeypatch.setattr(stream, "MAX_DOCUMENT_CHARS", 1000)  # the real one is 16 MB
    big = b'{"users": [{"_id": 1}, {"_id": 2, "x": "' + b'\\"{[' * 400 + b'"}]}'
    raw_archive(path, big, {"users": 2})
    with pytest.raises(BackupInvalid) as too_large:
        reader.validate_archive(path)
    assert too_large.value.problem is BackupProblem.TOO_LARGE and too_large.value.detail == "users, record 2"

    name = b'{"' + b"n" * 5000 + b'": []}'
    raw_archive(path, name, {"n" * 5000: 0})
    with pytest.raises(BackupInvalid) as long_name:
        reader.validate_archive(path)
    assert long_name.value.problem is BackupProblem.BAD_COLLECTION


def test_strings_with_escapes_and_brackets_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "CHUNK_BYTES", 3)
    path = tmp_path / "backup.zip"
    tricky = {"_id": 1, "s": 'a\\"}]{["\\\\', "t": "\\", "u": 'ї"\\n', "n": [{"x": [1, {"y": "}"}]}]}
    write_archive(path, {"users": [tricky, {"_id": 2}]})
    assert [doc for _, doc in read_events(path) if doc is not None] == [tricky, {"_id": 2}]


def test_retention_after_the_clock_went_back_keeps_the_new_backup(tmp_path: Path) -> None:
    existing = [touch_backup(tmp_path, MOMENT + timedelta(days=7 * i)) for i in range(3)]
    new = touch_backup(tmp_path, MOMENT - timedelta(days=3650))  # named by a clock ten years behind
    removed = files.apply_retention(tmp_path, keep=3, protect=new)
    assert removed == [existing[0]] and new.exists() and existing[2].exists()


def test_a_backup_recorded_in_the_future_delays_the_next_one_at_most_one_interval() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    future = BackupState(now + timedelta(days=300), "backup_x.zip", "auto")  # the clock was ahead then
    assert capped_due(next_backup_at(future.last_success_at, 7, UTC), now, 7) == now + timedelta(days=7)
    assert capped_due(now + timedelta(days=2), now, 7) == now + timedelta(days=2)


def test_a_backups_record_counts_name_every_collection_the_app_has() -> None:
    """A confirmation cut at COUNTS_SHOWN would hide a real collection (once it hid `tickets`)."""
    assert len(APP_COLLECTIONS) <= COUNTS_SHOWN
