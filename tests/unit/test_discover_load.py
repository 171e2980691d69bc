"""Finding and reading submissions as an LMS download gives them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from grader.discover import discover
from grader.load import load


def test_lms_names_and_folders(tmp_path: Path) -> None:
    (tmp_path / "Copy of hw3 (1).py").write_text('ASSIGNMENT = "jhu-hw3"\n')
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "hw1.py").write_text('ASSIGNMENT = "nyu-hw1"\n')
    (tmp_path / "notes.txt").write_text("ignored")
    found = discover([tmp_path], tmp_path).found
    assert [f.student for f in found] == ["bob", "Copy of hw3 (1)"]


def test_same_id_twice_keeps_full_names(tmp_path: Path) -> None:
    (tmp_path / "alice.py").write_text("x = 1\n")
    (tmp_path / "alice.ipynb").write_text("{}")
    assert sorted(f.student for f in discover([tmp_path], tmp_path).found) == ["alice.ipynb", "alice.py"]


def test_zip_with_escaping_entries_is_unpacked_safely(tmp_path: Path) -> None:
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("class/alice.py", 'ASSIGNMENT = "jhu-hw3"\n')
        bundle.writestr("class/bob.py", 'ASSIGNMENT = "jhu-hw3"\n')
        bundle.writestr("../evil.py", "print('escaped')\n")
        bundle.writestr("/abs.py", "x = 1\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    result = discover([archive], scratch)
    found, notes = result.found, result.notes
    assert [f.student for f in found] == ["alice", "bob"]
    assert not (tmp_path / "evil.py").exists()
    assert any("../evil.py" in n for n in notes) and any("/abs.py" in n for n in notes)


def test_symlinked_submission_is_an_error(tmp_path: Path) -> None:
    outside = tmp_path / "secret.py"
    outside.write_text('ASSIGNMENT = "jhu-hw3"\n')
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "mallory.py").symlink_to(outside)
    sub = load("mallory", tmp_path / "class" / "mallory.py", "class/mallory.py")
    assert "symbolic link" in sub.error


def test_symlink_inside_a_folder_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "eve"
    folder.mkdir()
    (folder / "hw1.py").write_text('ASSIGNMENT = "nyu-hw1"\n')
    (folder / "mlp.py").symlink_to("/etc/passwd")
    sub = load("eve", folder, "eve")
    assert sub.entry == "hw1.py" and "mlp.py" not in sub.files
    assert any("symbolic link" in w for w in sub.warnings)


def test_encoding_error_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.py"
    path.write_bytes(b'ASSIGNMENT = "jhu-hw3"\nx = "\xff\xfe"\n')
    assert "byte 0xff" in load("bad", path, "bad.py").error


def test_content_hash_ignores_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("x = 1\n")
    first, second = load("a", tmp_path / "a.py", "a"), load("b", tmp_path / "b.py", "b")
    assert first.cells[0].source == second.cells[0].source


def test_ambiguous_folder_says_which_files(tmp_path: Path) -> None:
    folder = tmp_path / "carol"
    folder.mkdir()
    (folder / "a.py").write_text('ASSIGNMENT = "jhu-hw3"\n')
    (folder / "b.ipynb").write_text('{"cells": [], "x": "ASSIGNMENT = \\"jhu-hw3\\""}')
    assert "a.py, b.ipynb" in load("carol", folder, "carol").error


def test_assignment_is_found_in_notebooks_whose_cells_are_single_strings(tmp_path: Path) -> None:
    import nbformat

    from grader.load import sniff_assignment

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('import numpy as np\nASSIGNMENT = "jhu-hw3"\nx = 1\n')]
    raw = nbformat.writes(nb).encode()
    assert b'\\nASSIGNMENT' in raw or b'"ASSIGNMENT' in raw
    assert sniff_assignment(raw) == "jhu-hw3"
    joined = json.dumps({"cells": [{"cell_type": "code", "source": 'import numpy as np\nASSIGNMENT = "jhu-hw3"\n'}]})
    assert '\\nASSIGNMENT' in joined  # one string: the line follows an escaped newline
    assert sniff_assignment(joined.encode()) == "jhu-hw3"


def test_a_student_folder_given_as_the_class_gets_a_note(tmp_path: Path) -> None:
    student = tmp_path / "bob"
    student.mkdir()
    (student / "hw1.py").write_text('ASSIGNMENT = "nyu-hw1"\n')
    (student / "mlp.py").write_text("class MLP: pass\n")
    result = discover([student], tmp_path)
    found, notes = result.found, result.notes
    assert [f.student for f in found] == ["hw1", "mlp"]  # graded as given, but not silently
    assert len(notes) == 1 and f"{student} holds mlp.py" in notes[0] and "folder above it" in notes[0]
    whole = discover([tmp_path], tmp_path)
    assert [f.student for f in whole.found] == ["bob"]
    assert whole.notes == []


# -- one student per entry; names unique by construction -----------------------------------------


def _ids(folder: Path) -> list[str]:
    return [f.student for f in discover([folder], folder).found]


def test_ids_stay_unique_after_every_renaming(tmp_path: Path) -> None:
    for name in ("alice.py", "alice.ipynb", "alice.py.ipynb", "Alice.py", "bob.py"):
        (tmp_path / name).write_text("x = 1\n")
    (tmp_path / "bob").mkdir()
    found = discover([tmp_path], tmp_path).found
    ids = [f.student for f in found]
    assert len({i.casefold() for i in ids}) == len(ids) == 6
    files = [f.file_name for f in found]
    assert len({f.casefold() for f in files}) == len(files)


def test_two_paths_holding_one_name_are_two_students(tmp_path: Path) -> None:
    for section in ("sec1", "sec2"):
        (tmp_path / section).mkdir()
        (tmp_path / section / "alice.py").write_text("x = 1\n")
    result = discover([tmp_path / "sec1", tmp_path / "sec2"], tmp_path)
    assert sorted(f.student for f in result.found) == ["sec1/alice.py", "sec2/alice.py"]
    assert any("sec1/alice.py" in n and "sec2/alice.py" in n for n in result.notes)


def test_names_that_differ_only_in_unicode_form_get_different_files(tmp_path: Path) -> None:
    import unicodedata

    composed, decomposed = "é", unicodedata.normalize("NFD", "é")
    (tmp_path / f"ren{composed}e.py").write_text("x = 1\n")
    try:
        (tmp_path / f"ren{decomposed}e.py").write_text("y = 1\n")
    except OSError:
        pytest.skip("this file system normalizes names itself")
    found = discover([tmp_path], tmp_path).found
    assert len(found) == 2 and len({f.file_name.casefold() for f in found}) == 2


def test_a_file_named_like_another_students_output_name_does_not_take_it(tmp_path: Path) -> None:
    (tmp_path / "a?b.py").write_text("x = 1\n")
    first = discover([tmp_path], tmp_path).found[0].file_name  # "a_b-<hash>"
    (tmp_path / f"{first}.py").write_text("y = 1\n")
    found = discover([tmp_path], tmp_path).found
    assert len({f.file_name for f in found}) == 2


def test_a_name_of_any_length_works(tmp_path: Path) -> None:
    name = "n" * 250 + ".py"
    (tmp_path / name).write_text("x = 1\n")
    found = discover([tmp_path], tmp_path).found[0]
    assert len(found.student) <= 100 and len(found.file_name.encode()) <= 110


def test_control_characters_in_names_become_visible_placeholders(tmp_path: Path) -> None:
    (tmp_path / "evil\x1b[2Jname\rline.py").write_text("x = 1\n")
    found = discover([tmp_path], tmp_path).found[0]
    assert found.student == "evil?[2Jname?line" and "\x1b" not in found.file_name


def test_special_files_are_skipped_unread(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.py")
    result = discover([tmp_path], tmp_path)
    assert result.found == [] and "named pipe" in result.ignored_text()
    folder = tmp_path / "carol"
    folder.mkdir()
    (folder / "hw.py").write_text('ASSIGNMENT = "jhu-hw3"\n')
    os.mkfifo(folder / "data.py")
    sub = load("carol", folder, "carol")  # would block on the pipe if it were read
    assert "data.py" not in sub.files and any("not a regular file" in w for w in sub.warnings)


def test_a_folder_of_many_files_is_capped_and_counted_not_listed(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    (folder / "hw.py").write_text('ASSIGNMENT = "jhu-hw3"\n')
    for i in range(2000):
        (folder / f"f{i:05}.txt").write_text("x")
    sub = load("many", folder, "many")
    assert len(sub.files) == 200 and len(sub.warnings) <= 6
    assert any("more files" in w for w in sub.warnings)


def test_a_zip_entry_is_read_through_a_cap_whatever_its_header_says(tmp_path: Path) -> None:
    from grader import discover as discover_module

    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("alice.py", 'ASSIGNMENT = "jhu-hw3"\n')
        bundle.writestr("bomb.py", b"#" * (discover_module.MAX_ZIP_ENTRY_BYTES + 10))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    result = discover([archive], scratch)
    assert [f.student for f in result.found] == ["alice"]
    assert any("bomb.py" in n and "MiB" in n for n in result.notes)


def test_no_upload_can_make_the_class_one_submission(tmp_path: Path) -> None:
    """A class zip of per-student folders beside a single-notebook upload: one student each."""
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("export/alice/hw1.py", 'ASSIGNMENT = "nyu-hw1"\n')
        bundle.writestr("export/bob/hw1.py", 'ASSIGNMENT = "nyu-hw1"\n')
        bundle.writestr("export/carol.ipynb", '{"cells": [], "x": "ASSIGNMENT = \\"nyu-hw1\\""}')
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    result = discover([archive], scratch)
    assert sorted(f.student for f in result.found) == ["alice", "bob", "carol"]
